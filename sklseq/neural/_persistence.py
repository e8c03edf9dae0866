"""Fitted state as tensors and plain Python values, loadable with ``weights_only=True``."""

import numpy as np
import torch

from ..utils import TokenVocabulary

__all__ = ["decode_value", "encode_value", "is_plain", "plain_history"]


def plain_history(history):
    """The history as lists, dicts and Python scalars (``weights_only`` loadable)."""

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        if isinstance(value, (np.generic, torch.Tensor)):
            return value.item()
        return value

    return plain(history.to_list())


def is_plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_plain(v) for v in value)
    return False


def encode_value(value, name):
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {"__ndarray__": torch.from_numpy(np.array(value))}
        return {"__objarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, TokenVocabulary):
        attrs = {k: v for k, v in vars(value).items() if k != "index_"}
        return {"__vocabulary__": {k: encode_value(v, name) for k, v in attrs.items()}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode_value(v, name) for v in value]}
    if isinstance(value, list):
        return [encode_value(v, name) for v in value]
    if is_plain(value):
        return value
    raise TypeError(
        f"Fitted attribute {name} of type {type(value).__name__} cannot be saved "
        "without pickling; override save_weights."
    )


def decode_value(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            if not isinstance(value["__ndarray__"], torch.Tensor):
                raise TypeError("__ndarray__ must hold a tensor")
            return value["__ndarray__"].numpy()
        if "__objarray__" in value:
            dtype = np.dtype(value["dtype"])
            if dtype.kind == "O":
                out = np.empty(len(value["__objarray__"]), dtype=object)
                out[:] = value["__objarray__"]
                return out
            return np.asarray(value["__objarray__"], dtype=dtype)
        if "__tuple__" in value:
            return tuple(decode_value(v) for v in value["__tuple__"])
        if "__vocabulary__" in value:
            vocabulary = TokenVocabulary.__new__(TokenVocabulary)
            for key, item in value["__vocabulary__"].items():
                if not (isinstance(key, str) and key.isidentifier() and not key.startswith("_")):
                    raise ValueError(f"invalid vocabulary attribute name {key!r}")
                setattr(vocabulary, key, decode_value(item))
            vocabulary.index_ = {t: i for i, t in enumerate(vocabulary.tokens_)}
            return vocabulary
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value
