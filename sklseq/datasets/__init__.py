"""Data set generators and loaders for shipped data."""

from ._dates import DEFAULT_DATE_FORMATS, make_dates
from ._digits import make_digit_strings

__all__ = [
    "DEFAULT_DATE_FORMATS",
    "make_dates",
    "make_digit_strings",
]
