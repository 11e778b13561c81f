"""Parsers: file text -> records that know their file and line. They never raise past
their boundary: what they cannot read becomes an input finding (OOM0xx)."""
