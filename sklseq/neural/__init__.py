"""Neural sequence estimators (skorch + PyTorch).

Every estimator wraps a skorch net built inside ``fit`` from explicit keyword
parameters; ``architecture`` selects the encoder (``"rnn"``, ``"jordan"``,
``"lstm"``, ``"gru"``, ``"cnn"``, ``"cnn-lstm"``, ``"transformer"``) so one grid
search compares them. See ``sklseq/neural/_base.py`` for how a new estimator
plugs in.
"""

from ..utils._optional import import_optional

# Without the [neural] extra, say which pip install fixes it before any module fails.
import_optional("torch", "neural")
import_optional("skorch", "neural")

from ._classifier import SequenceClassifier  # noqa: E402
from ._ctc import CTCTranscriber  # noqa: E402
from ._generator import SequenceGenerator  # noqa: E402
from ._regressor import SequenceRegressor  # noqa: E402
from ._seq2seq import Seq2SeqRegressor, Seq2SeqTranslator  # noqa: E402
from ._tagger import SequenceTagger  # noqa: E402

__all__ = [
    "CTCTranscriber",
    "Seq2SeqRegressor",
    "Seq2SeqTranslator",
    "SequenceClassifier",
    "SequenceGenerator",
    "SequenceRegressor",
    "SequenceTagger",
]
