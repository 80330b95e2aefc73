"""vitnemal: an open implementation of the Norwegian infrastructure for educational results."""

__version__ = "0.1.0"
