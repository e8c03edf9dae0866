# The two commands of the README: `make report` (the main job: sklseq's tuned models
# against sktime's baselines on bundled real data, results/report.md with plots)
# and `make test`. `make bench` runs the speed benchmarks (benchmarks/results/);
# `make docs` builds the documentation site into docs/_build/html.
# Each creates .venv and installs sklseq with every extra when missing; the
# constraints file pins torch to the local CPU wheel and the versions we test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: report bench test docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all,dev,docs]"
	$(PY) -m pip install --quiet -c constraints.txt --no-deps pyctcdecode
	touch $(STAMP)

# QUICK=1: fewer folds and smaller grids, each shortened model named so (python -m sklseq report --help).
# Then issue 14's table (defaults and a train-split grid search against sktime on the official
# splits, benchmarks/bench_classification.py --sections grid) is appended to results/report.md.
report: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m sklseq report --out results $(if $(QUICK),--quick,)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1 $(PY) -m benchmarks.bench_classification --sections grid --jobs 2 --append results/report.md $(if $(QUICK),--quick,)

# QUICK=1 runs every speed benchmark at small sizes.
bench: $(STAMP)
	$(PY) -m benchmarks.run $(if $(QUICK),--quick,)

test: $(STAMP)
	$(VENV)/bin/ruff check sklseq tests benchmarks docs
	$(VENV)/bin/mypy sklseq
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -q tests sklseq; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

# Warnings are errors; the gallery's examples run during the build (one thread each).
docs: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg \
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/auto_examples docs/api docs/sg_execution_times.rst
