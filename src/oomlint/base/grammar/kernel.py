"""The kernel's sysctl integer grammar (kernel/sysctl.c proc_dointvec).
"""

from __future__ import annotations

from oomlint.base.grammar.c import c_base0_int


def kernel_parse_int(text: str) -> int:
    """An integer as the kernel's proc_dointvec reads it: base 0, an optional ``-``, no
    ``+`` (kernel/sysctl.c proc_get_long)."""
    return c_base0_int(text, plus=False, trailing_space=True)
