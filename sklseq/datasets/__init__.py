"""Data set generators and loaders for shipped data."""

from ._dates import DEFAULT_DATE_FORMATS, make_dates
from ._digits import make_digit_strings
from ._sktime import load_sktime

__all__ = [
    "DEFAULT_DATE_FORMATS",
    "load_sktime",
    "make_dates",
    "make_digit_strings",
]
