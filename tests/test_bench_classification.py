"""The grid section of benchmarks/bench_classification.py: its choice rule and its verdicts.

The benchmark itself (minutes of fitting) runs in ``make report``; these check
the parts that decide what it prints, on hand-made inputs.
"""

import numpy as np

from benchmarks.bench_classification import (
    GRID_FITS,
    GRID_LIMIT_S,
    _grid_tables,
    one_standard_error,
)


def test_one_standard_error_takes_the_first_candidate_within_the_noise_of_the_best():
    # With 3 folds x 2 repeats the best's standard error is 0.06 / sqrt(6) = 0.0245:
    # threshold 0.9655.
    assert GRID_FITS == 6
    cv_results = {
        "mean_test_score": np.array([0.95, 0.97, 0.99, np.nan]),
        "std_test_score": np.array([0.01, 0.02, 0.06, np.nan]),
    }
    assert one_standard_error(cv_results) == 1
    cv_results["mean_test_score"][1] = 0.96
    assert one_standard_error(cv_results) == 2


def test_one_standard_error_ignores_failed_candidates():
    cv_results = {"mean_test_score": np.array([np.nan, 0.8]),
                  "std_test_score": np.array([np.nan, 0.0])}
    assert one_standard_error(cv_results) == 1


def _results(name, best, rocket, grid_seconds, regression=False):
    def row(model, score, fit=1.0, note=""):
        return {"model": model, "score": score, "train": None, "fit": fit, "predict": 0.1,
                "note": note}

    return {
        "name": name, "regression": regression, "cv": [], "notes": [],
        "rows": [row("sklseq SequenceClassifier()", 0.5),
                 row("sklseq MiniRocket pipeline (default)", rocket),
                 row("sklseq best of GridSearchCV", best, grid_seconds, "chose MiniRocket"),
                 row("sktime MiniRocket + ridge", rocket),
                 row("sktime 1NN-DTW", 0.7)],
    }


def test_summary_counts_ties_as_matches_and_flags_slow_grid_searches():
    results = [
        _results("GunPoint", best=1.0, rocket=1.0, grid_seconds=60.0),  # tie: counts
        _results("ArrowHead", best=0.85, rocket=0.9, grid_seconds=GRID_LIMIT_S + 1),  # loses, slow
        _results("JapaneseVowels", best=0.995, rocket=0.98, grid_seconds=60.0),  # vs FCN's 0.993
        _results("Covid3Month", best=0.04, rocket=0.05, grid_seconds=60.0, regression=True),
    ]
    markdown = _grid_tables(results, quick=False, budget_s=240.0)
    assert "sklseq's best >= the target on 2 of 3 classification sets compared" in markdown
    # Against the quoted figures: GunPoint 1.0 >= 0.993, ArrowHead 0.85 < 0.863.
    assert "quoted figures (MiniRocket UCR fold 0, the published FCN) on 2 of 3" in markdown
    assert "no (0.850 vs 0.863)" in markdown
    assert "Grid searches over 10 CPU minutes: ArrowHead." in markdown
    assert "no (0.850 vs 0.900)" in markdown
    assert "yes (0.995 vs 0.993)" in markdown
    assert "10.0 (over)" in markdown
