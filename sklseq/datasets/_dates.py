"""A generated translation task: dates written by people, mapped to ISO 8601."""

import re
from collections.abc import Callable, Sequence
from functools import reduce
from numbers import Integral
from typing import Literal, overload

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["DEFAULT_DATE_FORMATS", "make_dates"]

DEFAULT_DATE_FORMATS: tuple[str, ...] = (
    "d MMMM yyyy",  # 3 March 2021
    "dd/MM/yy",  # 03/03/21
    "EEE, MMM d yyyy",  # Wed, Mar 3 2021
    "yyyy.MM.dd",  # 2021.03.03
    "MMMM d, yyyy",  # March 3, 2021
    "do 'of' MMMM yyyy",  # 3rd of March 2021
    "EEEE d MMMM yyyy",  # Wednesday 3 March 2021
    "dd.MM.yyyy",  # 03.03.2021
    "d mmm yy",  # 3 mar 21
    "MMM dd, yyyy",  # Mar 03, 2021
    "yyyyMMdd",  # 20210303
    "d/M/yyyy",  # 3/3/2021
    "EEE d mmm yyyy",  # Wed 3 mar 2021
    "mmmm do yyyy",  # march 3rd 2021
)
"""Formats of :func:`make_dates` by default: every numeric one is day-first or
year-first, so no written date is ambiguous."""

_MONTHS = np.array([
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
])
_WEEKDAYS = np.array(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                      "Sunday"])
_FIELD = re.compile(
    r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|mmmm|mmm|EEEE|EEE|do|dd|d|[A-Za-z]+|[^A-Za-z']+"
)
_TWO_DIGIT_FIELDS = ("yy",)


@overload
def make_dates(
    n_samples: int = ...,
    *,
    formats: Sequence[str] | None = ...,
    start: str = ...,
    end: str = ...,
    random_state: int | np.random.RandomState | None = ...,
    return_formats: Literal[False] = ...,
) -> tuple[list[str], list[str]]: ...


@overload
def make_dates(
    n_samples: int = ...,
    *,
    formats: Sequence[str] | None = ...,
    start: str = ...,
    end: str = ...,
    random_state: int | np.random.RandomState | None = ...,
    return_formats: Literal[True],
) -> tuple[list[str], list[str], list[str]]: ...


def make_dates(
    n_samples: int = 1000,
    *,
    formats: Sequence[str] | None = None,
    start: str = "1950-01-01",
    end: str = "2049-12-31",
    random_state: int | np.random.RandomState | None = None,
    return_formats: bool = False,
) -> tuple[list[str], list[str]] | tuple[list[str], list[str], list[str]]:
    """Dates written in many human formats (X) and the same dates in ISO 8601 (y).

    A small, controllable translation task for sequence-to-sequence models
    (character level: ``"Wed, Mar 3 2021" -> "2021-03-03"``). Each sample draws
    a day uniformly between ``start`` and ``end`` and a format uniformly from
    ``formats``. Month and weekday names are English, independent of the locale.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of dates.
    formats : sequence of str, default=None
        Patterns (:data:`DEFAULT_DATE_FORMATS` when None) built from the fields
        ``yyyy`` (2021), ``yy`` (21), ``MMMM`` (March), ``MMM`` (Mar), ``mmmm``
        (march), ``mmm`` (mar), ``MM`` (03), ``M`` (3), ``dd`` (03), ``d`` (3),
        ``do`` (3rd), ``EEEE`` (Wednesday), ``EEE`` (Wed); text in single quotes
        and any non-letter character are copied as they are.
    start : str, default="1950-01-01"
        First possible date (ISO 8601).
    end : str, default="2049-12-31"
        Last possible date (ISO 8601). A format with ``yy`` needs ``start`` to
        ``end`` to span at most 100 years, so that two-digit years stay
        unambiguous.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw; the same seed gives the same data set.
    return_formats : bool, default=False
        Also return the pattern used for each sample.

    Returns
    -------
    X : list of str of length n_samples
        Dates as people write them.
    y : list of str of length n_samples
        The same dates as ``YYYY-MM-DD``.
    patterns : list of str of length n_samples
        Only with ``return_formats=True``.

    Examples
    --------
    >>> X, y = make_dates(3, formats=["d MMMM yyyy", "EEE, MMM d yyyy"], random_state=0)
    >>> len(X), all(len(iso) == 10 for iso in y)
    (3, True)
    >>> make_dates(1, formats=["do 'of' MMMM yyyy"], start="2021-03-03", end="2021-03-03")
    (['3rd of March 2021'], ['2021-03-03'])
    """
    if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}.")
    formats = DEFAULT_DATE_FORMATS if formats is None else formats
    if isinstance(formats, str) or len(formats) == 0:
        raise ValueError(
            "formats must be a non-empty sequence of patterns, e.g. ['d MMMM yyyy']; "
            f"got {formats!r}."
        )
    parsed = [_parse_pattern(p) for p in formats]
    first, last = _parse_day("start", start), _parse_day("end", end)
    if last < first:
        raise ValueError(f"end={end!r} is before start={start!r}.")
    first_year = int(str(first)[:4])
    last_year = int(str(last)[:4])
    if last_year - first_year > 99 and any(
        f in _TWO_DIGIT_FIELDS for fields in parsed for f, is_field in fields if is_field
    ):
        raise ValueError(
            f"A format with a two-digit year 'yy' needs start and end at most 100 years "
            f"apart (got {first_year} to {last_year}); narrow the range or drop the 'yy' "
            "formats."
        )

    rng = check_random_state(random_state)
    n_days = int((last - first).astype(int)) + 1
    dates = first + rng.randint(0, n_days, size=n_samples).astype("timedelta64[D]")
    which = rng.randint(0, len(parsed), size=n_samples)

    parts = _date_parts(dates)
    X = np.empty(n_samples, dtype=object)
    for k, fields in enumerate(parsed):
        rows = np.flatnonzero(which == k)
        if rows.size:
            X[rows] = _render(fields, {key: value[rows] for key, value in parts.items()})
    y = np.datetime_as_string(dates, unit="D").tolist()
    if return_formats:
        return X.tolist(), y, [formats[k] for k in which]
    return X.tolist(), y


def _parse_pattern(pattern: str) -> list[tuple[str, bool]]:
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"Each date format must be a non-empty str, got {pattern!r}.")
    fields = []
    position = 0
    for match in _FIELD.finditer(pattern):
        if match.start() != position:
            break
        text = match.group()
        position = match.end()
        if text.startswith("'"):
            fields.append((text[1:-1], False))
        elif text[0].isalpha():
            if text not in _RENDERERS:
                raise ValueError(
                    f"Unknown field {text!r} in date format {pattern!r}; fields are "
                    f"{', '.join(_RENDERERS)}. Quote literal text: 'of'."
                )
            fields.append((text, True))
        else:
            fields.append((text, False))
    if position != len(pattern):
        raise ValueError(
            f"Unbalanced quote in date format {pattern!r} at position {position}."
        )
    return fields


def _parse_day(name: str, value: str) -> np.datetime64:
    try:
        return np.datetime64(value, "D")
    except ValueError:
        raise ValueError(f"{name} must be a date as 'YYYY-MM-DD', got {value!r}.") from None


def _date_parts(dates: np.ndarray) -> dict[str, np.ndarray]:
    months = dates.astype("datetime64[M]")
    days_since_epoch = dates.astype(np.int64)
    return {
        "year": dates.astype("datetime64[Y]").astype(np.int64) + 1970,
        "month": months.astype(np.int64) % 12 + 1,
        "day": (dates - months.astype("datetime64[D]")).astype(np.int64) + 1,
        "weekday": (days_since_epoch + 3) % 7,  # 1970-01-01 was a Thursday
    }


def _render(fields: list[tuple[str, bool]], parts: dict[str, np.ndarray]) -> list[str]:
    n = len(parts["year"])
    columns = []
    for text, is_field in fields:
        if is_field:
            columns.append(_RENDERERS[text](parts))
        else:
            columns.append(np.full(n, text))
    return reduce(np.char.add, columns).tolist()


def _ordinal(day: np.ndarray) -> np.ndarray:
    suffix = np.where(
        (day % 100 >= 11) & (day % 100 <= 13), "th",
        np.array(["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"])[day % 10],
    )
    return np.char.add(day.astype(str), suffix)


_RENDERERS: dict[str, Callable[[dict[str, np.ndarray]], np.ndarray]] = {
    "yyyy": lambda p: np.char.zfill(p["year"].astype(str), 4),
    "yy": lambda p: np.char.zfill((p["year"] % 100).astype(str), 2),
    "MMMM": lambda p: _MONTHS[p["month"] - 1],
    "MMM": lambda p: _MONTHS[p["month"] - 1].astype("<U3"),
    "mmmm": lambda p: np.char.lower(_MONTHS[p["month"] - 1]),
    "mmm": lambda p: np.char.lower(_MONTHS[p["month"] - 1]).astype("<U3"),
    "MM": lambda p: np.char.zfill(p["month"].astype(str), 2),
    "M": lambda p: p["month"].astype(str),
    "EEEE": lambda p: _WEEKDAYS[p["weekday"]],
    "EEE": lambda p: _WEEKDAYS[p["weekday"]].astype("<U3"),
    "do": lambda p: _ordinal(p["day"]),
    "dd": lambda p: np.char.zfill(p["day"].astype(str), 2),
    "d": lambda p: p["day"].astype(str),
}
