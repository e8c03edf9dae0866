import datetime as dt
import re

import pytest

from sklseq.datasets import DEFAULT_DATE_FORMATS, make_dates

# Each default pattern as a strptime format (C locale: English names), read
# independently of the generator. Ordinal suffixes are stripped before parsing.
STRPTIME = {
    "d MMMM yyyy": "%d %B %Y",
    "dd/MM/yy": "%d/%m/%y",
    "EEE, MMM d yyyy": "%a, %b %d %Y",
    "yyyy.MM.dd": "%Y.%m.%d",
    "MMMM d, yyyy": "%B %d, %Y",
    "do 'of' MMMM yyyy": "%d of %B %Y",
    "EEEE d MMMM yyyy": "%A %d %B %Y",
    "dd.MM.yyyy": "%d.%m.%Y",
    "d mmm yy": "%d %b %y",
    "MMM dd, yyyy": "%b %d, %Y",
    "yyyyMMdd": "%Y%m%d",
    "d/M/yyyy": "%d/%m/%Y",
    "EEE d mmm yyyy": "%a %d %b %Y",
    "mmmm do yyyy": "%B %d %Y",
}


def _parse(text, pattern):
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    date = dt.datetime.strptime(text, STRPTIME[pattern]).date()
    if "yy" in pattern and "yyyy" not in pattern:
        # Our documented pivot: two-digit years map into 1950..2049.
        date = date.replace(year=1950 + (date.year % 100 - 50) % 100)
    return date


def test_every_written_date_parses_back_to_its_iso_target():
    X, y, patterns = make_dates(700, random_state=0, return_formats=True)
    for text, iso, pattern in zip(X, y, patterns):
        parsed = _parse(text, pattern)
        assert parsed.isoformat() == iso, (text, pattern)
        if "E" in pattern:
            assert parsed.strftime("%a") in text  # the weekday is right too


def test_every_default_format_is_used():
    _, _, patterns = make_dates(700, random_state=0, return_formats=True)
    assert set(patterns) == set(DEFAULT_DATE_FORMATS) == set(STRPTIME)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("d MMMM yyyy", "3 March 2021"),
        ("dd/MM/yy", "03/03/21"),
        ("EEE, MMM d yyyy", "Wed, Mar 3 2021"),
        ("yyyy.MM.dd", "2021.03.03"),
        ("do 'of' MMMM yyyy", "3rd of March 2021"),
    ],
)
def test_examples_of_the_issue(pattern, expected):
    X, y = make_dates(1, formats=[pattern], start="2021-03-03", end="2021-03-03")
    assert (X, y) == ([expected], ["2021-03-03"])


@pytest.mark.parametrize(
    "day, expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                      (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (31, "31st")],
)
def test_ordinal_days(day, expected):
    date = f"2021-01-{day:02d}"
    X, _ = make_dates(1, formats=["do"], start=date, end=date)
    assert X == [expected]


def test_same_seed_same_data_other_seed_other_data():
    assert make_dates(50, random_state=3) == make_dates(50, random_state=3)
    assert make_dates(50, random_state=3) != make_dates(50, random_state=4)


def test_dates_stay_in_range():
    _, y = make_dates(300, start="2000-02-27", end="2000-03-01", random_state=0)
    assert set(y) == {"2000-02-27", "2000-02-28", "2000-02-29", "2000-03-01"}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples must be an integer >= 1"),
        ({"formats": []}, "non-empty sequence of patterns"),
        ({"formats": "d MMMM yyyy"}, "non-empty sequence of patterns"),
        ({"formats": ["d of MMMM"]}, "Unknown field 'of'"),
        ({"formats": ["d 'of MMMM"]}, "Unbalanced quote"),
        ({"start": "2021-13-01"}, "start must be a date"),
        ({"start": "2021-01-02", "end": "2021-01-01"}, "is before start"),
        ({"start": "1900-01-01", "formats": ["dd/MM/yy"]}, "two-digit year"),
    ],
)
def test_bad_arguments_are_explained(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_dates(**{"n_samples": 5, **kwargs})
