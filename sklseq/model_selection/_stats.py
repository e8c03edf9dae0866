"""Ranks, the Friedman test, the Nemenyi critical difference, paired tests (Demšar 2006)."""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["critical_difference", "paired_test", "rank_models"]


def rank_models(scores: pd.DataFrame, greater_is_better: bool = True) -> pd.DataFrame:
    """Rank of each model (columns) on each data set (rows); 1 is best, ties share the mean rank.

    Parameters
    ----------
    scores : pandas.DataFrame of shape (n_datasets, n_models)
    greater_is_better : bool, default=True

    Returns
    -------
    ranks : pandas.DataFrame of the same shape
    """
    return scores.rank(axis=1, ascending=not greater_is_better, method="average")


def critical_difference(
    scores: pd.DataFrame, greater_is_better: bool = True, alpha: float = 0.05
) -> dict[str, Any]:
    """Average ranks, the Friedman test and the Nemenyi critical difference.

    Follows Demšar (2006), "Statistical comparisons of classifiers over multiple
    data sets", JMLR 7: the Friedman statistic with Iman and Davenport's F
    correction, and the critical difference ``q_alpha * sqrt(k (k + 1) / (6 N))``
    of the Nemenyi post-hoc test, with ``q_alpha`` the studentized range
    quantile divided by ``sqrt(2)``.

    Parameters
    ----------
    scores : pandas.DataFrame of shape (n_datasets, n_models)
        One score per model and data set, no missing values.
    greater_is_better : bool, default=True
    alpha : float, default=0.05

    Returns
    -------
    result : dict
        ``ranks`` (pandas.Series, average rank per model, best first),
        ``friedman_chi2``, ``friedman_p``, ``iman_davenport_f``,
        ``iman_davenport_p``, ``cd``, ``alpha``, ``n_datasets``, ``n_models``.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"a": [0.9, 0.8, 0.7], "b": [0.8, 0.9, 0.6], "c": [0.7, 0.7, 0.5]})
    >>> critical_difference(scores)["ranks"].to_dict()
    {'a': 1.3333333333333333, 'b': 1.6666666666666667, 'c': 3.0}
    """
    if scores.isna().to_numpy().any():
        raise ValueError("scores has missing values; drop the models or data sets that failed.")
    n_datasets, n_models = scores.shape
    if n_datasets < 2 or n_models < 2:
        raise ValueError(
            f"the Friedman test needs at least 2 data sets and 2 models; got {n_datasets} "
            f"data sets and {n_models} models."
        )
    ranks = rank_models(scores, greater_is_better).mean(axis=0)
    k, n = n_models, n_datasets
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(ranks.to_numpy() ** 2) - k * (k + 1) ** 2 / 4)
    denominator = n * (k - 1) - chi2
    f_stat = (n - 1) * chi2 / denominator if denominator > 0 else np.inf
    q_alpha = stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    return {
        "ranks": ranks.sort_values(),
        "friedman_chi2": float(chi2),
        "friedman_p": float(stats.chi2.sf(chi2, k - 1)),
        "iman_davenport_f": float(f_stat),
        "iman_davenport_p": float(stats.f.sf(f_stat, k - 1, (k - 1) * (n - 1))),
        "cd": float(q_alpha * np.sqrt(k * (k + 1) / (6 * n))),
        "alpha": alpha,
        "n_datasets": n,
        "n_models": k,
    }


def paired_test(
    scores: ArrayLike, reference: ArrayLike, greater_is_better: bool = True
) -> tuple[int, int, int, float]:
    """Wins, ties and losses of ``scores`` against ``reference``, and a Wilcoxon signed-rank p-value.

    Parameters
    ----------
    scores, reference : array-like of shape (n_pairs,)
        Paired scores (the same folds or data sets).
    greater_is_better : bool, default=True

    Returns
    -------
    wins, ties, losses : int
    p_value : float
        Two-sided Wilcoxon signed-rank test; 1.0 when every pair ties, NaN
        with fewer than two pairs.
    """
    scores = np.asarray(scores, dtype=float)
    reference = np.asarray(reference, dtype=float)
    diff = scores - reference if greater_is_better else reference - scores
    tie = np.isclose(scores, reference, rtol=1e-9, atol=1e-12)
    wins, losses = int(np.sum((diff > 0) & ~tie)), int(np.sum((diff < 0) & ~tie))
    ties = int(np.sum(tie))
    if len(diff) < 2:
        p_value = np.nan
    elif ties == len(diff):
        p_value = 1.0
    else:
        p_value = float(stats.wilcoxon(np.where(tie, 0.0, diff), zero_method="zsplit").pvalue)
    return wins, ties, losses, p_value


def nemenyi_groups(ranks: pd.Series, cd: float) -> list[tuple[int, int]]:
    """Maximal runs of models (sorted by rank) whose rank spread is within ``cd``.

    Parameters
    ----------
    ranks : pandas.Series
        Average rank per model.
    cd : float

    Returns
    -------
    groups : list of (first, last) positions in ``ranks.sort_values()``
        Each a clique not significantly different, not contained in another.
    """
    values = pd.Series(ranks).sort_values().to_numpy()
    groups = []
    for i in range(len(values)):
        j = int(np.searchsorted(values, values[i] + cd, side="right")) - 1
        if j > i and not any(a <= i and j <= b for a, b in groups):
            groups.append((i, j))
    return groups
