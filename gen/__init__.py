"""gradsheet: matrix-calculus derivation sheets from YAML specs."""

__version__ = "0.1.0"
