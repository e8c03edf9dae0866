"""Neural sequence estimators (skorch + PyTorch).

Every estimator wraps a skorch net built inside ``fit`` from explicit keyword
parameters; ``architecture`` selects the encoder (``"rnn"``, ``"jordan"``,
``"lstm"``, ``"gru"``, ``"cnn"``, ``"cnn-lstm"``, ``"transformer"``) so one grid
search compares them. See ``sklseq/neural/_base.py`` for how a new estimator
plugs in.
"""

from ._classifier import SequenceClassifier
from ._ctc import CTCTranscriber
from ._generator import SequenceGenerator
from ._regressor import SequenceRegressor
from ._seq2seq import Seq2SeqRegressor, Seq2SeqTranslator
from ._tagger import SequenceTagger

__all__ = [
    "CTCTranscriber",
    "Seq2SeqRegressor",
    "Seq2SeqTranslator",
    "SequenceClassifier",
    "SequenceGenerator",
    "SequenceRegressor",
    "SequenceTagger",
]
