"""The one place sklseq imports scikit-learn's private APIs.

scikit-learn moves its private helpers between releases; keeping every such import
here means a move breaks one file, not twenty.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.validation import _check_feature_names_in, _check_sample_weight

__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_check_feature_names_in",
    "_check_sample_weight",
    "_fit_context",
    "_wrap_data_with_container",
    "validate_params",
]
