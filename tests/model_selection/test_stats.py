import numpy as np
import pandas as pd
import pytest

from sklseq.model_selection._stats import critical_difference, nemenyi_groups, paired_test


def test_ranks_and_friedman_statistic_match_a_hand_worked_example():
    # accuracies of 3 models on 4 data sets (higher is better)
    scores = pd.DataFrame(
        {"A": [0.90, 0.85, 0.70, 0.85], "B": [0.85, 0.85, 0.60, 0.80], "C": [0.80, 0.70, 0.65, 0.75]}
    )
    # ranks per data set: A 1, 1.5, 1, 1 | B 2, 1.5, 3, 2 | C 3, 3, 2, 3
    result = critical_difference(scores)
    expected = {"A": 4.5 / 4, "B": 8.5 / 4, "C": 11 / 4}
    assert result["ranks"].to_dict() == pytest.approx(expected)
    assert result["ranks"].index.tolist() == ["A", "B", "C"]
    # chi2_F = 12 N / (k (k+1)) * (sum R_j^2 - k (k+1)^2 / 4) with N = 4, k = 3
    ranks = np.array(list(expected.values()))
    chi2 = 12 * 4 / (3 * 4) * (np.sum(ranks**2) - 3 * 16 / 4)
    assert result["friedman_chi2"] == pytest.approx(chi2)
    assert result["friedman_chi2"] == pytest.approx(5.375)


def test_critical_difference_matches_demsar_2006():
    # Demšar (2006), section 3.2.4: k = 4 classifiers, N = 14 data sets, alpha = 0.05
    # q_0.05 = 2.569 and CD = 2.569 * sqrt(4 * 5 / (6 * 14)) = 1.25
    scores = pd.DataFrame(np.random.default_rng(0).random((14, 4)), columns=list("abcd"))
    assert critical_difference(scores)["cd"] == pytest.approx(1.25, abs=0.005)


@pytest.mark.parametrize(("k", "q"), [(2, 1.960), (3, 2.343), (5, 2.728), (10, 3.164)])
def test_nemenyi_q_alpha_matches_the_table_of_demsar_2006(k, q):
    n = 10
    scores = pd.DataFrame(np.random.default_rng(k).random((n, k)))
    cd = critical_difference(scores)["cd"]
    assert cd / np.sqrt(k * (k + 1) / (6 * n)) == pytest.approx(q, abs=0.002)


def test_lower_is_better_reverses_the_ranks():
    scores = pd.DataFrame({"A": [1.0, 2.0], "B": [2.0, 3.0]})
    assert critical_difference(scores, greater_is_better=False)["ranks"]["A"] == 1.0


def test_missing_scores_are_refused():
    with pytest.raises(ValueError, match="missing values"):
        critical_difference(pd.DataFrame({"A": [1.0, np.nan], "B": [2.0, 3.0]}))


def test_paired_test_counts_and_wilcoxon():
    wins, ties, losses, p = paired_test([0.9, 0.8, 0.7, 0.7], [0.8, 0.8, 0.6, 0.9])
    assert (wins, ties, losses) == (2, 1, 1)
    assert 0 < p <= 1
    assert paired_test([1.0, 2.0], [1.0, 2.0])[3] == 1.0
    assert paired_test([1.0, 2.0], [2.0, 3.0], greater_is_better=False)[:3] == (2, 0, 0)


def test_nemenyi_groups_are_maximal_cliques():
    ranks = pd.Series({"a": 1.0, "b": 1.5, "c": 2.6, "d": 3.9})
    assert nemenyi_groups(ranks, cd=1.2) == [(0, 1), (1, 2)]
