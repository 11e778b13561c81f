"""oomlint: find out-of-memory risk in Linux server configuration."""

__version__ = "0.1.0"
