"""Data set generators and loaders for shipped data."""

from ._digits import make_digit_strings

__all__ = [
    "make_digit_strings",
]
