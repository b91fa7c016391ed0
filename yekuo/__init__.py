"""yekuo: run and control new-connection applications (业扩报装) inside their regulated time limits."""

__version__ = "0.1.0"
