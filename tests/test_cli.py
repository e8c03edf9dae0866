import numpy as np
import pandas as pd
import pytest

from sklseq.__main__ import main

pytest.importorskip("matplotlib", reason="the report draws plots (plot extra)")


def _long_csv(path, n_series=24, length=16, label=True):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n_series):
        values = rng.normal(size=length) + (2.0 if i % 2 else 0.0) * np.sin(np.arange(length))
        for t, value in enumerate(values):
            row = {"series_id": f"s{i}", "time": t, "value": value}
            if label:
                row["label"] = "wave" if i % 2 else "noise"
            rows.append(row)
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # order must not matter
    frame.to_csv(path, index=False)
    return path


def _run(argv, out):
    return main([*argv, "--out", str(out), "--n-jobs", "1", "--no-progress", "--quick"])


def test_compare_on_a_long_format_csv_writes_the_report(tmp_path, capsys):
    data = _long_csv(tmp_path / "panel.csv")
    status = _run(["compare", "--data", str(data), "--baselines", "none", "--folds", "3"],
                  tmp_path / "out")
    assert status == 0
    report = (tmp_path / "out" / "report.md").read_text()
    lines = report.splitlines()
    assert lines[0].startswith("# sklseq comparison")
    table = [line for line in lines if line.startswith("| sklseq FFT + ridge (tuned, quick grid)")]
    assert table and "± " in table[0]
    assert "- Command: `python -m sklseq compare --data" in report
    assert "--quick: 3 folds" in report
    assert (tmp_path / "out").glob("*.png")
    assert "Report written to" in capsys.readouterr().out


def test_forecasting_from_a_long_format_file_ranks_across_series(tmp_path):
    rng = np.random.default_rng(1)
    rows = [{"series_id": sid, "time": f"2020-{m + 1:02d}-01" if m < 12 else f"2021-{m - 11:02d}-01",
             "value": 10 + m * 0.5 + rng.normal()} for sid in ("a", "b") for m in range(24)]
    path = tmp_path / "series.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    status = _run(["compare", "--data", str(path), "--baselines", "none", "--horizon", "2",
                   "--models", "ridge,seasonal-naive"], tmp_path / "out")
    assert status == 0
    report = (tmp_path / "out" / "report.md").read_text()
    assert "mean rank (2 data sets)" in report
    assert len(list((tmp_path / "out").glob("*forecasts_*.png"))) == 2


def test_unknown_data_set_name_is_a_clear_error(tmp_path, capsys):
    assert _run(["compare", "--dataset", "GunPointt"], tmp_path) == 2
    error = capsys.readouterr().err
    assert "unknown data set 'GunPointt'" in error and "GunPoint" in error


def test_csv_without_the_required_columns_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"id": [1, 1], "t": [0, 1], "value": [1.0, 2.0]}).to_csv(path, index=False)
    assert _run(["compare", "--data", str(path)], tmp_path) == 2
    error = capsys.readouterr().err
    assert "lacks the required column(s) ['series_id', 'time']" in error
    assert "found ['id', 't', 'value']" in error


def test_a_series_with_two_labels_is_refused(tmp_path, capsys):
    path = tmp_path / "two.csv"
    pd.DataFrame({"series_id": ["a", "a"], "time": [0, 1], "value": [1.0, 2.0],
                  "label": ["x", "y"]}).to_csv(path, index=False)
    assert _run(["compare", "--data", str(path)], tmp_path) == 2
    assert "series 'a' has more than one label" in capsys.readouterr().err
