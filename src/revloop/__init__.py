"""revloop: the closed loop between Marketing and Sales."""

__version__ = "0.1.0"
