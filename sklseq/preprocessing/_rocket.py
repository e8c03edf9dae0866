"""MiniRocket features (Dempster, Schmidt and Webb, KDD 2021), vectorised with numpy.

MiniRocket convolves each sequence with 84 fixed kernels of length 9, whose
weights are -1 except +2 at three of the nine positions, at a range of
dilations, and summarises each convolution by the proportion of positive values
(PPV) above several biases taken as quantiles of the convolutions of training
rows. A kernel's output is ``C[t] = sum_j w_j x[t + (j - 4) d]`` with zeros
beyond the row's ends; with ``w = -1 + 3 [j in chosen]`` it is
``-sum_j S_j + 3 (S_a + S_b + S_c)`` over the nine shifted copies ``S_j`` of the
row, which every kernel of one dilation shares: that sum is what is computed,
for all rows at once.

The algorithm and its constants follow the reference implementation (also
sktime's ``MiniRocketMultivariate``): the dilations and features per dilation,
the golden-ratio quantiles, one random training row per kernel for its biases,
random channel subsets for multivariate rows, and PPV over the whole row or its
centre (without the ``4 d`` steps at each end) in alternation. Variable-length
rows are native: each row's convolution and PPV use its own valid steps only.

MultiRocket (Tan, Dempster, Bergmeir and Webb, 2022) pools each convolution
three more ways over the same steps: the mean of the positive values of
``C - bias`` (MPV), the mean index of the positive values (MIPV) and the
longest stretch of positive values (LSPV); ``pooling`` chooses among the four.
"""

from itertools import combinations
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.utils import check_random_state

from ..utils._compat import Interval
from ._base import SequenceTransformer

__all__ = ["KERNEL_INDICES", "MiniRocketFeatures", "POOLING_OPERATORS"]

KERNEL_LENGTH = 9
# The three positions with weight +2 of each of the 84 kernels (others are -1).
KERNEL_INDICES = np.array(list(combinations(range(KERNEL_LENGTH), 3)), dtype=np.intp)
N_KERNELS = len(KERNEL_INDICES)
# Float32 elements of the temporaries of one block of rows (32 MB).
_BLOCK_ELEMENTS = 1 << 23
# Rows counted together in one 64-bit word of booleans.
_PACK = 8
# MultiRocket's pooling operators (see ``MiniRocketFeatures``).
POOLING_OPERATORS = ("ppv", "mpv", "mipv", "lspv")


class MiniRocketFeatures(SequenceTransformer):
    """MiniRocket random-convolution features of each sequence, MultiRocket's pooling on request.

    About ``n_features`` features per row, from the 84 MiniRocket kernels at
    dilations up to the training length, each convolution pooled above
    several biases by the operators in ``pooling`` (by default the proportion
    of positive values). With a linear classifier (``RidgeClassifierCV`` with
    ``alphas=np.logspace(-3, 3, 10)`` as in the paper, or
    ``LogisticRegression`` on many rows) it is the strongest cheap time-series
    classification baseline. Univariate, multivariate and variable-length
    input; no compilation step.

    Parameters
    ----------
    n_features : int, default=10000
        Requested total number of features, split evenly across the
        ``pooling`` operators: each operator gives the largest multiple of 84
        not above ``n_features / len(pooling)`` (at least 84).
    max_dilations_per_kernel : int, default=32
        Most dilations per kernel; dilations are spread exponentially up to
        the longest that fits the training rows.
    pooling : tuple of str, default=("ppv",)
        Distinct operators among :data:`POOLING_OPERATORS`, each applied to
        every (dilation, kernel, bias) output ``C - bias`` over the steps it
        is pooled on (see Notes):

        - ``"ppv"``: proportion of positive values, in [0, 1];
        - ``"mpv"``: mean of the positive values; 0 where there are none;
        - ``"mipv"``: mean index of the positive values, in steps from the
          first pooled step (not normalised, as in MultiRocket's code); -1
          where there are none;
        - ``"lspv"``: length in steps of the longest stretch of consecutive
          positive values (not normalised); 0 where there are none.

        The output holds one block of features per operator, in this order.
    random_state : int, RandomState instance or None, default=None
        Draws the training row behind each kernel's biases and, for
        multivariate input, each kernel's channels.

    Attributes
    ----------
    dilations_ : ndarray of shape (n_dilations,)
    n_features_per_dilation_ : ndarray of shape (n_dilations,)
        Biases of each kernel at each dilation.
    biases_ : ndarray of shape (n_features_out_ / len(pooling),)
        The order of the features in each operator's block: dilation, then
        kernel (rows of :data:`KERNEL_INDICES`), then bias.
    channels_ : list of ndarray
        Channels summed by each (dilation, kernel) pair, in the same order.
    n_features_out_ : int
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int

    Notes
    -----
    Convolutions are computed and the features returned in float32, as in
    the reference implementation (proportions need no more precision, and
    the output of 10,000 features per row is half the size). Every kernel is
    pooled over the whole row or, for every other kernel, its centre without
    the ``4 * dilation`` steps at each end. The dilations are set by the
    longest training row; a row shorter than ``8 * dilation + 1`` steps is
    still zero-extended at both ends, and where its centre is empty it is
    pooled over the whole row. Output names: ``"minirocketfeatures0"``, ...
    with the default ``pooling``, otherwise the operator and the index in its
    block: ``"minirocketfeatures_ppv0"``, ..., ``"minirocketfeatures_mpv0"``, ...

    MultiRocket is this transformer with all four operators, once on the rows
    and once (another ``random_state``) on their first differences, e.g.
    ``make_union(MiniRocketFeatures(pooling=POOLING_OPERATORS),
    make_pipeline(Differencer(), MiniRocketFeatures(pooling=POOLING_OPERATORS)))``.
    Its published code (and sktime's ``MultiRocket``) differs from the
    paper's definitions, followed here, in two ways: its MPV averages
    ``C + bias`` over the positive steps (2 * bias more than MPV where any
    value is positive), and its LSPV measures from the last step strictly
    below the bias, which adds one to stretches away from the row's start and
    gives 1 rather than 0 where no value is positive.

    References
    ----------
    Dempster, A., Schmidt, D. F. and Webb, G. I. (2021). MiniRocket: A very
    fast (almost) deterministic transform for time series classification.
    KDD 2021.

    Tan, C. W., Dempster, A., Bergmeir, C. and Webb, G. I. (2022).
    MultiRocket: multiple pooling operators and transformations for fast and
    effective time series classification. Data Mining and Knowledge
    Discovery 36, 1623-1646.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import MiniRocketFeatures
    >>> X = np.random.default_rng(0).normal(size=(20, 50))
    >>> features = MiniRocketFeatures(n_features=840, random_state=0).fit_transform(X)
    >>> features.shape
    (20, 840)
    >>> bool(((features >= 0) & (features <= 1)).all())
    True
    >>> multi = MiniRocketFeatures(n_features=840, pooling=("ppv", "lspv"), random_state=0)
    >>> multi.fit_transform(X).shape
    (20, 840)
    >>> list(multi.get_feature_names_out()[[0, 420]])
    ['minirocketfeatures_ppv0', 'minirocketfeatures_lspv0']
    """

    _parameter_constraints: dict = {
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "max_dilations_per_kernel": [Interval(Integral, 1, None, closed="left")],
        "pooling": [tuple, list],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_features: int = 10_000,
        max_dilations_per_kernel: int = 32,
        pooling: tuple[str, ...] = ("ppv",),
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_features = n_features
        self.max_dilations_per_kernel = max_dilations_per_kernel
        self.pooling = pooling
        self.random_state = random_state

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        pooling = _check_pooling(self.pooling)
        rng = check_random_state(self.random_state)
        n_samples, _, n_channels = X.shape
        self.dilations_, self.n_features_per_dilation_ = _fit_dilations(
            int(lengths.max()), self.n_features // len(pooling), self.max_dilations_per_kernel
        )
        n_combinations = N_KERNELS * len(self.dilations_)
        max_exponent = np.log2(min(n_channels, KERNEL_LENGTH) + 1)
        sizes = (2 ** rng.uniform(0, max_exponent, n_combinations)).astype(np.intp)
        if n_channels == 1:
            self.channels_ = [np.zeros(1, dtype=np.intp)] * n_combinations
        else:
            self.channels_ = [rng.choice(n_channels, size, replace=False) for size in sizes]
        quantiles = _golden_quantiles(N_KERNELS * int(self.n_features_per_dilation_.sum()))
        rows_by_dilation = rng.randint(n_samples, size=(len(self.dilations_), N_KERNELS))
        time_major = _time_major(X)
        biases = []
        start = combination = 0
        for dilation, n_biases, rows in zip(
            self.dilations_, self.n_features_per_dilation_, rows_by_dilation
        ):
            # Kernel k's biases are quantiles of its convolution of training row rows[k].
            alpha, gamma = _dilated_terms(time_major[:, :, rows], dilation)
            convs = np.empty((N_KERNELS, alpha.shape[1]), dtype=np.float32)
            for k, (i0, i1, i2) in enumerate(KERNEL_INDICES):
                channels = self.channels_[combination + k]
                convs[k] = (
                    alpha[channels, :, k] + gamma[i0, channels, :, k]
                    + gamma[i1, channels, :, k] + gamma[i2, channels, :, k]
                ).sum(axis=0)
            stop = start + N_KERNELS * n_biases
            q = quantiles[start:stop].reshape(N_KERNELS, n_biases)
            biases.append(_row_quantiles(convs, lengths[rows], q).ravel())
            start, combination = stop, combination + N_KERNELS
        self.biases_ = np.concatenate(biases)
        self.n_features_out_ = len(pooling) * len(self.biases_)

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        n_samples, n_timesteps, n_channels = X.shape
        out = np.empty((n_samples, self.n_features_out_), dtype=np.float32)
        per_row = 64 * n_channels * (n_timesteps + 8 * int(self.dilations_.max()))
        step = max(_PACK, (_BLOCK_ELEMENTS // per_row) // _PACK * _PACK)
        time_major = _time_major(X)
        # One (n_samples, n_biases) view of the output per operator.
        blocks = out.reshape(n_samples, -1, len(self.biases_)).transpose(1, 0, 2)
        pooling = dict(zip(_check_pooling(self.pooling), blocks))
        for r0 in range(0, n_samples, step):
            rows = slice(r0, min(r0 + step, n_samples))
            outs = {op: block[rows] for op, block in pooling.items()}
            self._features(time_major[:, :, rows], lengths[rows], outs)
        return out

    def _features(self, X, lengths, outs):
        # X: float32 (n_channels, n_timesteps, n_rows), zero beyond each length.
        # Rows are the fastest axis, so that the PPV counts of 8 rows at one
        # step sit in one 64-bit word: summing words over the steps counts 8
        # rows at once, one per byte. outs: operator -> (n_rows, n_biases) view.
        n_channels, n_timesteps, n_rows = X.shape
        n_packed = -(-n_rows // _PACK) * _PACK
        if n_packed != n_rows:
            fill = np.zeros((n_channels, n_timesteps, n_packed - n_rows), dtype=np.float32)
            X = np.concatenate([X, fill], axis=2)
            lengths = np.concatenate([lengths, np.full(n_packed - n_rows, n_timesteps)])
        above = np.empty(
            (int(self.n_features_per_dilation_.max()), n_timesteps, n_packed), dtype=bool
        )
        steps = np.arange(n_timesteps)[:, None]
        whole = steps < lengths
        start = combination = 0
        for index, (dilation, n_biases) in enumerate(
            zip(self.dilations_, self.n_features_per_dilation_)
        ):
            # Pool over the whole row, or (every other kernel) over its centre,
            # where the kernel never reaches past an end; the whole row when
            # the centre is empty.
            padding = 4 * int(dilation)
            n_centre = lengths - 2 * padding
            centre = np.where(
                n_centre > 0, (steps >= padding) & (steps < lengths - padding), whole
            )
            centre_start = np.where(n_centre > 0, padding, 0)
            n_centre = np.where(n_centre > 0, n_centre, lengths)
            full_length = bool(whole.all())
            convs = self._convolutions(X, dilation, combination)
            for k, conv in enumerate(convs):
                use_centre = (index + k) % 2 == 1
                first_step = 0
                if full_length:
                    if use_centre and n_timesteps > 2 * padding:
                        conv = conv[padding : n_timesteps - padding]
                    divisor = np.float32(conv.shape[0])
                else:
                    np.putmask(conv, ~centre if use_centre else ~whole, -np.inf)
                    divisor = (n_centre if use_centre else lengths)[:n_rows, None].astype(np.float32)
                    first_step = centre_start if use_centre else 0
                biases = self.biases_[start : start + n_biases]
                above_bias = above[:n_biases, : len(conv)]
                counts = _count_above(conv, biases, above_bias)
                cols = slice(start, start + n_biases)
                if "ppv" in outs:
                    np.divide(counts[:, :n_rows].T, divisor, out=outs["ppv"][:, cols])
                if "mpv" in outs:
                    mpv = _mean_positive(conv, above_bias, biases, counts)
                    outs["mpv"][:, cols] = mpv[:, :n_rows].T
                if "mipv" in outs:
                    mipv = _mean_positive_index(above_bias, counts, first_step)
                    outs["mipv"][:, cols] = mipv[:, :n_rows].T
                if "lspv" in outs:
                    outs["lspv"][:, cols] = _longest_positive_stretch(above_bias)[:, :n_rows].T
                start += n_biases
            combination += N_KERNELS

    def _convolutions(self, X, dilation, combination):
        """The 84 kernels' outputs at one dilation, ``(n_timesteps, n_rows)`` each, in turn.

        ``alpha + gamma_a + gamma_b + gamma_c`` summed over each kernel's
        channels, with the sums shared between kernels computed once. Each
        output is written over the previous one (one buffer stays in cache).
        """
        alpha, gamma = _dilated_terms(X, dilation)
        first = {i0: alpha + gamma[i0] for i0 in np.unique(KERNEL_INDICES[:, 0])}
        pairs = {}
        buffer = np.empty(X.shape[1:], dtype=np.float32)
        for k, (i0, i1, i2) in enumerate(KERNEL_INDICES):
            if (i1, i2) not in pairs:
                pairs[i1, i2] = gamma[i1] + gamma[i2]
            channels = self.channels_[combination + k]
            if len(channels) == 1:
                np.add(first[i0][channels[0]], pairs[i1, i2][channels[0]], out=buffer)
            else:
                np.sum(first[i0][channels] + pairs[i1, i2][channels], axis=0, out=buffer)
            yield buffer

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        pooling = _check_pooling(self.pooling)
        if pooling == ("ppv",):
            return [f"minirocketfeatures{i}" for i in range(self.n_features_out_)]
        n_biases = len(self.biases_)
        return [f"minirocketfeatures_{op}{i}" for op in pooling for i in range(n_biases)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _check_pooling(pooling):
    """``pooling`` as a tuple of distinct names from :data:`POOLING_OPERATORS`."""
    pooling = tuple(pooling)
    unknown = [op for op in pooling if op not in POOLING_OPERATORS]
    if not pooling or unknown or len(set(pooling)) != len(pooling):
        raise ValueError(
            f"pooling must be a non-empty tuple of distinct operators among "
            f"{POOLING_OPERATORS}; got {pooling!r}"
            + (f" ({unknown!r} unknown)" if unknown else "")
        )
    return pooling


def _time_major(X):
    """Float32 ``(n_channels, n_timesteps, n_samples)`` with zeros at padded steps."""
    out = np.ascontiguousarray(np.transpose(X, (2, 1, 0)), dtype=np.float32)
    np.nan_to_num(out, copy=False, nan=0.0)
    return out


def _count_above(conv, biases, above):
    """``(conv[:, r] > b).sum()`` for every bias ``b`` and row ``r``: ``(n_biases, n_rows)``.

    ``conv`` is ``(n_steps, n_rows)`` with ``n_rows`` a multiple of 8;
    ``above`` a boolean work array ``(n_biases, n_steps, n_rows)``. The
    booleans of 8 rows at one step form one 64-bit word, so summing words over
    at most 255 steps counts 8 rows at once, one per byte.
    """
    np.greater(conv[None], biases[:, None, None], out=above)
    words = above.view(np.uint64)
    counts = words[:, :255].sum(axis=1, dtype=np.uint64).view(np.uint8)
    if len(conv) > 255:
        counts = counts.astype(np.intp)
        for t0 in range(255, len(conv), 255):
            counts += words[:, t0 : t0 + 255].sum(axis=1, dtype=np.uint64).view(np.uint8)
    return counts.reshape(len(biases), -1)


def _mean_positive(conv, above, biases, counts):
    """MPV: mean of the positive values of ``conv[:, r] - b``, 0 where none: ``(n_biases, n_rows)``.

    ``conv`` is ``(n_steps, n_rows)``, -inf at steps not pooled; ``above``
    and ``counts`` come from :func:`_count_above`. The sum of the positive
    values is the sum of ``conv`` over the steps above ``b``, less ``b``
    times their number.
    """
    # Float64 sums: the same whatever the steps not pooled (padding never
    # changes a feature).
    finite = conv.astype(np.float64)
    finite[np.isinf(finite)] = 0
    totals = np.einsum("bsr,sr->br", above, finite) - biases[:, None] * counts
    return np.divide(totals, counts, out=np.zeros_like(totals), where=counts > 0)


def _mean_positive_index(above, counts, first_step):
    """MIPV: mean step index of the ``True`` of ``above[b, :, r]``, -1 where none.

    Indices count from ``first_step`` (a number, or one per row).
    """
    n_steps = above.shape[1]
    # Sums of indices are exact in float32 below 2**24.
    dtype = np.float32 if n_steps * n_steps < 1 << 25 else np.float64
    totals = np.matmul(np.arange(n_steps, dtype=dtype), above).astype(np.float64)
    totals -= counts * first_step
    return np.divide(totals, counts, out=np.full_like(totals, -1), where=counts > 0)


def _longest_positive_stretch(above):
    """LSPV: longest run of consecutive ``True`` along the steps of ``above[b, :, r]``.

    The run ending at step ``t`` is ``t`` less the last ``False`` step up to
    it (-1 before the first), a running maximum over the steps taken by
    doubling: after the pass with shift ``k`` each step holds the maximum of
    the ``2 k`` steps up to it (``log2(n_steps)`` whole-array passes; numpy's
    ``maximum.accumulate`` is several times slower).
    """
    n_steps = above.shape[1]
    dtype = np.int16 if n_steps < (1 << 15) - 1 else np.int32
    steps = np.arange(1, n_steps + 1, dtype=dtype)[:, None]
    # One more than the last False step so far, 0 before the first.
    last_false = np.multiply(np.logical_not(above), steps, dtype=dtype)
    spare = np.empty_like(last_false)
    shift = 1
    while shift < n_steps:
        np.maximum(last_false[:, shift:], last_false[:, :-shift], out=spare[:, shift:])
        spare[:, :shift] = last_false[:, :shift]
        last_false, spare = spare, last_false
        shift *= 2
    np.subtract(steps, last_false, out=last_false)
    return last_false.max(axis=1)


def _dilated_terms(X, dilation):
    """``alpha = -sum_j S_j`` and ``gamma_j = 3 S_j`` for the nine shifts ``S_j``.

    ``S_j[:, t] = X[:, t + (j - 4) * dilation]``, zero outside the array;
    ``X`` is ``(n_channels, n_timesteps, n_rows)``. Returns ``alpha`` of the
    shape of ``X`` and ``gamma`` of shape ``(9, *X.shape)``.
    """
    dilation = int(dilation)
    n_channels, n_timesteps, n_rows = X.shape
    padded = np.zeros((n_channels, n_timesteps + 8 * dilation, n_rows), dtype=np.float32)
    padded[:, 4 * dilation : 4 * dilation + n_timesteps] = X
    gamma = np.empty((KERNEL_LENGTH,) + X.shape, dtype=np.float32)
    alpha = np.zeros(X.shape, dtype=np.float32)
    for j in range(KERNEL_LENGTH):
        shifted = padded[:, j * dilation : j * dilation + n_timesteps]
        alpha -= shifted
        np.multiply(shifted, 3, out=gamma[j])
    return alpha, gamma


def _row_quantiles(values, lengths, q):
    """``np.quantile(values[i, :lengths[i]], q[i])`` for every row ``i`` (linear interpolation)."""
    steps = np.arange(values.shape[1])
    ordered = np.sort(np.where(steps < lengths[:, None], values, np.inf), axis=1)
    position = q * (lengths[:, None] - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, lengths[:, None] - 1)
    low = np.take_along_axis(ordered, below, axis=1).astype(np.float64)
    high = np.take_along_axis(ordered, above, axis=1).astype(np.float64)
    return (low + (position - below) * (high - low)).astype(np.float32)


def _fit_dilations(n_timesteps, n_features, max_dilations_per_kernel):
    """Dilations (exponentially spaced up to the row length) and features per dilation."""
    n_features_per_kernel = max(n_features, N_KERNELS) // N_KERNELS
    true_max = min(n_features_per_kernel, max_dilations_per_kernel)
    multiplier = n_features_per_kernel / true_max
    max_exponent = max(np.log2(max(n_timesteps - 1, 1) / (KERNEL_LENGTH - 1)), 0.0)
    dilations, counts = np.unique(
        np.logspace(0, max_exponent, true_max, base=2).astype(np.intp), return_counts=True
    )
    per_dilation = (counts * multiplier).astype(np.intp)
    remainder = n_features_per_kernel - per_dilation.sum()
    np.add.at(per_dilation, np.arange(remainder) % len(per_dilation), 1)
    return dilations, per_dilation


def _golden_quantiles(n):
    """Low-discrepancy quantiles ``(i * golden ratio) mod 1`` for ``i = 1..n``."""
    return (np.arange(1, n + 1) * ((np.sqrt(5) + 1) / 2)) % 1
