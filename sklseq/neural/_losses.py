"""The training criteria of the neural estimators, called as ``criterion(y_pred, y_true)``."""

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["IGNORE_INDEX", "CTCCriterion", "TokenCrossEntropy"]

IGNORE_INDEX = -100


class TokenCrossEntropy(nn.Module):
    """Cross-entropy over the steps of ``(B, T, C)`` logits; ``ignore_index`` targets skipped.

    Used by the tagger (padding marked ``IGNORE_INDEX``), the seq2seq
    translator and the generator (padding marked by the vocabulary's pad code).
    """

    def __init__(self, weight=None, ignore_index=IGNORE_INDEX):
        super().__init__()
        self.ignore_index = ignore_index
        if weight is not None:
            weight = torch.as_tensor(weight, dtype=torch.float32)
        self.register_buffer("weight", weight)

    def forward(self, logits, targets):
        return F.cross_entropy(
            logits.flatten(0, 1),
            targets.flatten(),
            weight=self.weight,
            ignore_index=self.ignore_index,
        )


class CTCCriterion(nn.Module):
    """``torch.nn.CTCLoss`` on per-step logits, with the lengths carried in ``y_true``."""

    def __init__(self):
        super().__init__()
        self.ctc = nn.CTCLoss(blank=0, reduction="mean", zero_infinity=True)

    def forward(self, logits, y_true):
        log_probs = torch.log_softmax(logits, dim=-1).transpose(0, 1)  # (T, B, C)
        return self.ctc(
            log_probs, y_true["targets"], y_true["input_lengths"], y_true["target_lengths"]
        )
