"""Handwritten digit strings for CTC: scikit-learn's ``load_digits`` images side by side."""

from numbers import Integral, Real
from typing import Literal, overload

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

__all__ = ["make_digit_strings"]

_IMAGE_SIZE = 8
_SPLIT_SEED = 0


@overload
def make_digit_strings(
    n_samples: int = ...,
    *,
    subset: Literal["train", "test"] = ...,
    min_digits: int = ...,
    max_digits: int = ...,
    max_gap: int = ...,
    test_size: float = ...,
    return_sources: Literal[False] = ...,
    random_state: int | np.random.RandomState | None = ...,
) -> tuple[list[np.ndarray], list[str]]: ...


@overload
def make_digit_strings(
    n_samples: int = ...,
    *,
    subset: Literal["train", "test"] = ...,
    min_digits: int = ...,
    max_digits: int = ...,
    max_gap: int = ...,
    test_size: float = ...,
    return_sources: Literal[True],
    random_state: int | np.random.RandomState | None = ...,
) -> tuple[list[np.ndarray], list[str], list[np.ndarray]]: ...


def make_digit_strings(
    n_samples: int = 1000,
    *,
    subset: Literal["train", "test"] = "train",
    min_digits: int = 1,
    max_digits: int = 6,
    max_gap: int = 3,
    test_size: float = 0.25,
    return_sources: bool = False,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[list[np.ndarray], list[str]] | tuple[list[np.ndarray], list[str], list[np.ndarray]]:
    """Strings of handwritten digits, read column by column (an OCR task for CTC).

    Each sample places ``min_digits`` to ``max_digits`` random 8x8 images of
    scikit-learn's :func:`~sklearn.datasets.load_digits` (1,797 real
    handwritten digits) side by side, with 0 to ``max_gap`` empty columns
    before, between and after them, and reads the result column by column: a
    sequence of ``8 * n_digits + gaps`` time steps with 8 features (the pixel
    rows, scaled to [0, 1]). The target is the string of digits. The model never
    sees where one digit ends and the next begins, which is what CTC is for.

    The images are split once, by a fixed stratified shuffle, into a train and a
    test pool (``test_size`` of each digit's images in the test pool), and each
    subset draws only from its own pool: strings from ``subset="test"`` are
    written with images never seen in ``subset="train"``, for any
    ``random_state``.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of digit strings.
    subset : {"train", "test"}, default="train"
        Which pool of images to write with.
    min_digits : int, default=1
        Fewest digits per string (the number is drawn uniformly).
    max_digits : int, default=6
        Most digits per string (inclusive).
    max_gap : int, default=3
        Largest number of empty columns before, between or after digits.
    test_size : float, default=0.25
        Fraction of each digit's images in the test pool.
    return_sources : bool, default=False
        Also return which ``load_digits`` images wrote each string.
    random_state : int, RandomState instance or None, default=None
        Draws the digits, images and gaps (not the train / test split of the
        images, which is fixed).

    Returns
    -------
    X : list of ndarray of shape (n_timesteps_i, 8)
        The strings, column by column; lengths differ.
    y : list of str
        The digits of each string, e.g. ``"3141"``.
    sources : list of ndarray of shape (n_digits_i,)
        Indices into ``load_digits().images`` of the images of each string, in
        order. Only when ``return_sources=True``.

    Examples
    --------
    >>> X, y = make_digit_strings(3, min_digits=2, max_digits=4, random_state=0)
    >>> len(X), X[0].shape[1], all(2 <= len(s) <= 4 for s in y)
    (3, 8, True)
    >>> X_test, y_test = make_digit_strings(2, subset="test", random_state=0)
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    min_digits = _check_int(min_digits, "min_digits", 1)
    max_digits = _check_int(max_digits, "max_digits", 1)
    max_gap = _check_int(max_gap, "max_gap", 0)
    if max_digits < min_digits:
        raise ValueError(f"max_digits={max_digits} is smaller than min_digits={min_digits}.")
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test', got {subset!r}.")
    if isinstance(test_size, bool) or not isinstance(test_size, Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a float in (0, 1), got {test_size!r}.")
    rng = check_random_state(random_state)

    digits = load_digits()
    pool = _image_pool(digits.target, test_size, subset)
    n_digits = rng.randint(min_digits, max_digits + 1, size=n_samples)
    labels = rng.randint(0, 10, size=n_digits.sum())
    # One random image of the drawn class from the pool: pools are sorted by class.
    pool = pool[np.argsort(digits.target[pool], kind="stable")]
    class_start = np.searchsorted(digits.target[pool], np.arange(10))
    class_count = np.bincount(digits.target[pool], minlength=10)
    sources = pool[class_start[labels] + rng.randint(0, class_count[labels])]

    # A gap before every digit and one after the last digit of each string.
    first = np.cumsum(n_digits) - n_digits
    gaps_before = rng.randint(0, max_gap + 1, size=labels.size)
    gaps_after = rng.randint(0, max_gap + 1, size=n_samples)
    lengths = np.add.reduceat(gaps_before + _IMAGE_SIZE, first) + gaps_after
    # Where each digit's first column lands in the concatenation of all strings.
    sample_of = np.repeat(np.arange(n_samples), n_digits)
    columns_before = np.cumsum(gaps_before + _IMAGE_SIZE) - _IMAGE_SIZE
    start = columns_before + (np.cumsum(gaps_after) - gaps_after)[sample_of]

    flat = np.zeros((lengths.sum(), _IMAGE_SIZE))
    columns = start[:, None] + np.arange(_IMAGE_SIZE)
    # images[i] is (rows, columns); a time step is one column, its features the rows.
    flat[columns] = digits.images[sources].transpose(0, 2, 1) / 16.0
    X = np.split(flat, np.cumsum(lengths)[:-1])
    text = np.array(list("0123456789"))[labels]
    y = ["".join(chars) for chars in np.split(text, first[1:])]
    if return_sources:
        return X, y, np.split(sources, first[1:])
    return X, y


def _image_pool(target: np.ndarray, test_size: float, subset: str) -> np.ndarray:
    """Indices of the images in the train or test pool (a fixed stratified split)."""
    train, test = train_test_split(
        np.arange(len(target)), test_size=test_size, stratify=target, random_state=_SPLIT_SEED
    )
    return np.sort(train if subset == "train" else test)


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)
