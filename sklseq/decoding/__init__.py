"""Decoders as plain functions on arrays: greedy, beam and CTC searches."""

from ._ctc import ctc_beam_search_decode, ctc_greedy_decode

__all__ = [
    "ctc_beam_search_decode",
    "ctc_greedy_decode",
]
