"""The training criteria of the neural estimators.

Each is called as ``criterion(y_pred, y_true, sample_weight=None)``. A sample
contributes a loss summed over its elements (its steps, tokens or outputs, each
scaled by its class weight) and a mass (those elements' count, or their class
weights); the batch loss is ``sum(w * loss) / sum(w * mass)``, so an integer
sample weight ``k`` counts the sample exactly as ``k`` copies of it would, and
unit weights give torch's ``reduction="mean"``.
"""

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "IGNORE_INDEX",
    "CTCCriterion",
    "MemberLosses",
    "RegressionLoss",
    "SequenceCrossEntropy",
    "TokenCrossEntropy",
]

IGNORE_INDEX = -100


def weighted_mean(losses, masses, sample_weight=None):
    """``sum(w * losses) / sum(w * masses)`` over the samples of a batch (w = 1 if None).

    A batch whose samples all weigh 0 has loss 0 (not 0 / 0).
    """
    if sample_weight is None:
        return losses.sum() / masses.sum()
    sample_weight = sample_weight.to(losses.dtype)
    mass = (sample_weight * masses).sum().clamp(min=torch.finfo(losses.dtype).tiny)
    return (sample_weight * losses).sum() / mass


class _ClassWeighted(nn.Module):
    def __init__(self, weight=None):
        super().__init__()
        if weight is not None:
            weight = torch.as_tensor(weight, dtype=torch.float32)
        self.register_buffer("weight", weight)

    def _mass(self, targets, valid):
        if self.weight is None:
            return valid.to(torch.float32)
        return self.weight[targets.clamp(min=0)] * valid


class SequenceCrossEntropy(_ClassWeighted):
    """Cross-entropy of ``(B, C)`` logits against one class per sequence."""

    def forward(self, logits, targets, sample_weight=None):
        losses = F.cross_entropy(logits, targets, weight=self.weight, reduction="none")
        return weighted_mean(losses, self._mass(targets, torch.ones_like(losses)), sample_weight)


class TokenCrossEntropy(_ClassWeighted):
    """Cross-entropy over the steps of ``(B, T, C)`` logits; ``ignore_index`` targets skipped.

    Used by the tagger (padding marked ``IGNORE_INDEX``), the seq2seq
    translator and the generator (padding marked by the vocabulary's pad code).
    """

    def __init__(self, weight=None, ignore_index=IGNORE_INDEX):
        super().__init__(weight)
        self.ignore_index = ignore_index

    def forward(self, logits, targets, sample_weight=None):
        losses = F.cross_entropy(
            logits.flatten(0, 1),
            targets.flatten(),
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction="none",
        ).view(targets.shape)
        valid = targets != self.ignore_index
        masses = self._mass(targets, valid)
        return weighted_mean(losses.sum(dim=1), masses.sum(dim=1), sample_weight)


class RegressionLoss(nn.Module):
    """Squared error or Huber loss averaged over the outputs (and steps) of each sample."""

    def __init__(self, loss="mse", delta=1.0):
        super().__init__()
        self.loss = loss
        self.delta = delta

    def forward(self, y_pred, y_true, sample_weight=None):
        if self.loss == "huber":
            losses = F.huber_loss(y_pred, y_true, delta=self.delta, reduction="none")
        else:
            losses = F.mse_loss(y_pred, y_true, reduction="none")
        losses = losses.flatten(1).sum(dim=1)
        masses = torch.full_like(losses, y_true[0].numel())
        return weighted_mean(losses, masses, sample_weight)


class CTCCriterion(nn.Module):
    """``torch.nn.CTCLoss`` on per-step logits, with the lengths carried in ``y_true``.

    Each sample's loss is divided by its target length, as in ``CTCLoss``'s
    ``reduction="mean"``.
    """

    def __init__(self):
        super().__init__()
        self.ctc = nn.CTCLoss(blank=0, reduction="none", zero_infinity=True)

    def forward(self, logits, y_true, sample_weight=None):
        log_probs = torch.log_softmax(logits, dim=-1).transpose(0, 1)  # (T, B, C)
        target_lengths = y_true["target_lengths"]
        losses = self.ctc(log_probs, y_true["targets"], y_true["input_lengths"], target_lengths)
        losses = losses / target_lengths.clamp(min=1).to(losses.dtype)
        return weighted_mean(losses, torch.ones_like(losses), sample_weight)


class MemberLosses(nn.Module):
    """The sum of ``criterion`` over an ensemble's members (a tuple of outputs).

    Each member's parameters get exactly the gradient of its own loss, as if
    it were trained alone on the same batches. A single output (the
    ensemble's combined output, in evaluation) gets ``criterion`` itself.
    """

    def __init__(self, criterion):
        super().__init__()
        self.criterion = criterion

    def forward(self, y_pred, y_true, sample_weight=None):
        if not isinstance(y_pred, tuple):
            return self.criterion(y_pred, y_true, sample_weight)
        return sum(self.criterion(output, y_true, sample_weight) for output in y_pred)
