"""callbook: a terminal companion for power callers. Imports nothing heavy."""

__version__ = "0.1.0"
