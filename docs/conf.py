"""Sphinx configuration of the sklseq documentation (``make docs``).

The API reference is written at build time from sklseq's public subpackages and
their ``__all__``, so a new subpackage or public name appears without editing
the documentation.
"""

import ast
import importlib
import inspect
import logging
import os
import pkgutil
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
from numpydoc.xref import DEFAULT_LINKS

matplotlib.use("Agg")
DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # document this checkout's sklseq

import sklseq  # noqa: E402

project = "sklseq"
author = "sklseq developers"
copyright = "sklseq developers"  # noqa: A001 (Sphinx's name)
release = sklseq.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
default_role = "literal"  # `x` in a docstring is code, as in scikit-learn
# api/_includes: tables written below at build time, included by the pages that show them.
exclude_patterns = [
    "_build", "**.ipynb_checkpoints", "examples/GALLERY_HEADER.rst", "api/_includes",
]
templates_path = ["_templates"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
suppress_warnings = [
    # benchmarks.md and the changelog are plain GitHub markdown whose top heading
    # is not level one everywhere; the cross-references that matter are rst roles.
    "myst.header",
]

autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters section says the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types such as ``ndarray of shape (n_features_in_,)`` become cross-references
# (as in scikit-learn's documentation) instead of rst text, where a trailing
# underscore would be read as a hyperlink target.
numpydoc_xref_param_type = True
# numpydoc's default aliases point int, bool, array-like ... at the Python and
# NumPy inventories; this site builds offline (no intersphinx), so they stay words.
numpydoc_xref_aliases = {
    **{word: word for word, target in DEFAULT_LINKS.items()
       if "python:" in target or "numpy:" in target},
    "ndarray": "numpy.ndarray",
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "TokenVocabulary": "sklseq.utils.TokenVocabulary",
}
numpydoc_xref_ignore = {
    "of", "or", "and", "shape", "default", "optional", "instance", "like", "array-like",
    "n_samples", "n_timesteps", "n_channels", "n_features", "n_classes", "n_best",
    "horizon", "object", *(word for word, target in DEFAULT_LINKS.items()
                            if "python:" in target or "numpy:" in target),
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklseq {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "header_links_before_dropdown": 5,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = False
# Pages without sub-pages get no (empty) section navigation on the left.
html_sidebars = {page: [] for page in
                 ("getting_started", "data_contract", "benchmarks", "changelog")}

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("sklseq",),
    "backreferences_dir": "api/backreferences",
    "reference_url": {"sklseq": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    # outputs are what the examples print; the value of a trailing expression such
    # as ax.set_ylabel(...) is not shown
    "capture_repr": (),
    # a failing example fails the build (-W), never a silent broken page
    "abort_on_example_error": True,
}


# The class pages (see _templates/autosummary/class.rst) leave out the methods of
# scikit-learn's mixins, which scikit-learn documents, and the metadata-request
# setters it generates per class.
def skip_metadata_requests(app, what, name, obj, skip, options):
    """Skip ``set_fit_request`` and its kin (scikit-learn generates them per class)
    and what an array class inherits from ``numpy.ndarray`` (numpy documents it)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if getattr(obj, "__objclass__", None) is np.ndarray:
        return True
    return None


# Docstring problems in modules the documentation does not own, reported to their
# owners. Each is dropped only for the named object and message, with the reason.
KNOWN_DOCSTRING_PROBLEMS = [
    (
        "sklseq.neural.",
        'Unknown target name: "net"',
        "COMMON_ATTRIBUTES_DOC (sklseq/neural/_docstrings.py) is indented twice where "
        "it is substituted, so 'net_ : skorch.NeuralNet' lands inside the previous "
        "attribute's description; fix it there, then delete this entry",
    ),
]


_TYPE_LINE = re.compile(r"^(\s*[\w, *]+ : )(.*)$")
_BARE_FITTED_NAME = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?=[,)\s]|$)")


def quote_fitted_names_in_types(app, what, name, obj, options, lines):
    """Quote fitted-attribute names in type specs: ``(n_features_in_,)``.

    scikit-learn writes ``ndarray of shape (`n_features_in_`,)``; several sklseq
    docstrings leave the name bare, which rst reads as a link target
    (``n_features_in_`` -> "Unknown target name"). Runs before numpydoc.
    """
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            lines[i] = match.group(1) + _BARE_FITTED_NAME.sub(r"`\1`", match.group(2))


class _KnownProblemFilter(logging.Filter):
    def filter(self, record):
        where = f"{getattr(record, 'location', '')} {record.getMessage()}"
        return not any(obj in where and message in where
                       for obj, message, _ in KNOWN_DOCSTRING_PROBLEMS)


def setup(app):
    app.connect("autodoc-skip-member", skip_metadata_requests)
    app.connect("autodoc-process-docstring", quote_fitted_names_in_types, priority=100)
    for handler in logging.getLogger("sphinx").handlers:
        handler.filters.insert(0, _KnownProblemFilter())


def public_subpackages():
    """``(name, module)`` of every public subpackage of sklseq, imported.

    A subpackage that fails to import stops the build with its error: the
    documentation is built with every extra installed (``pip install
    -e ".[all,docs]"``), so a failure is a real problem, not a missing extra.
    """
    for info in sorted(pkgutil.iter_modules(sklseq.__path__), key=lambda i: i.name):
        if info.ispkg and not info.name.startswith("_") and info.name != "tests":
            name = f"sklseq.{info.name}"
            yield name, importlib.import_module(name)


def _kind(obj):
    if isinstance(obj, type):
        return "Classes"
    if callable(obj):
        return "Functions"
    return "Constants and types"


def write_api_reference(out_dir):
    """One page per subpackage (its docstring and an autosummary of ``__all__``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    for name, module in public_subpackages():
        public = sorted(getattr(module, "__all__", ()))
        groups = {}
        for member in public:
            groups.setdefault(_kind(getattr(module, member)), []).append(member)
        lines = [f"``{name}``", "=" * (len(name) + 4), "", f".. automodule:: {name}",
                 "   :no-members:", "   :no-inherited-members:", ""]
        for title in ("Classes", "Functions", "Constants and types"):
            if title not in groups:
                continue
            lines += [title, "-" * len(title), "", f".. currentmodule:: {name}", "",
                      ".. autosummary::", "   :toctree: generated/", "   :nosignatures:", ""]
            lines += [f"   {member}" for member in groups[title]] + [""]
        page = out_dir / f"{name}.rst"
        text = "\n".join(lines)
        if not page.exists() or page.read_text() != text:  # keep incremental builds
            page.write_text(text)
        pages.append(name)
    index = ["API reference", "=============", "",
             "Generated from the docstrings: one page per public subpackage, listing",
             "its ``__all__``.", "", ".. toctree::", "   :maxdepth: 1", ""]
    index += [f"   {name}" for name in pages] + [""]
    (out_dir / "index.rst").write_text("\n".join(index))


def expected_failures(test_file):
    """``EXPECTED_FAILURES`` of ``tests/test_common.py``: ``{estimator: {check: reason}}``.

    Read from the test module's source (its module-level string constants and the
    dict literal), not imported: importing it would build every estimator.
    """
    strings, found = {}, None
    for node in ast.parse(test_file.read_text()).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            strings[name] = node.value.value
        elif name == "EXPECTED_FAILURES":
            found = node.value

    def value(node):
        if isinstance(node, ast.Name):
            return strings[node.id]
        if isinstance(node, ast.Dict):
            return {value(k): value(v) for k, v in zip(node.keys, node.values)}
        return ast.literal_eval(node)

    if found is None:
        raise RuntimeError(f"{test_file} defines no EXPECTED_FAILURES")
    return value(found)


def _cell(text):
    """``text`` on one line, safe inside a markdown table or list item."""
    return " ".join(str(text).split()).replace("|", "\\|")


def write_compatibility_tables(out_dir):
    """The tables of the compatibility page, from the code and the test suite.

    ``expected_failures.md``: scikit-learn checks each estimator is expected to
    fail, with the recorded reason; ``sample_weight.md``: which estimators'
    ``fit`` takes ``sample_weight``.
    """
    from sklseq.utils import all_estimators  # noqa: PLC0415

    out_dir.mkdir(parents=True, exist_ok=True)
    failures = expected_failures(DOCS.parent / "tests" / "test_common.py")
    # A list, one item per check with its estimators: check names are too long
    # for a table column at the width of the page.
    by_check = {}
    for name, checks in failures.items():
        for check, reason in checks.items():
            by_check.setdefault(check, []).append((name, reason))
    lines = []
    for check in sorted(by_check):
        lines.append(f"- `{check}`:")
        lines += [f"  - `{name}`: {_cell(reason)}" for name, reason in sorted(by_check[check])]
    if not lines:
        lines = ["None: every public estimator passes every check."]
    (out_dir / "expected_failures.md").write_text("\n".join(lines) + "\n")

    # Predictors only: a transformer's fit learns the input shape or unsupervised
    # statistics, where a sample weight has no use.
    predictors = sorted((cls.__module__.rsplit(".", 1)[0], name, cls)
                        for name, cls in all_estimators() if hasattr(cls, "predict"))
    rows = ["| estimator | `fit(..., sample_weight=...)` |", "|---|---|"]
    for package, name, cls in predictors:
        takes = "sample_weight" in inspect.signature(cls.fit).parameters
        rows.append(f"| {{class}}`~{package}.{name}` | {'yes' if takes else 'no'} |")
    (out_dir / "sample_weight.md").write_text("\n".join(rows) + "\n")


write_api_reference(DOCS / "api")
write_compatibility_tables(DOCS / "api" / "_includes")
os.environ.setdefault("OMP_NUM_THREADS", "1")
