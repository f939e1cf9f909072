"""Framework-free core: pure functions and small dataclasses over numpy / polars.

Nothing in this package may import Django; tests/test_architecture.py enforces it.
"""
