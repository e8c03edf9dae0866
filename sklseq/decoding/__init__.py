"""Decoders as plain functions on arrays: greedy, beam and CTC searches."""

from ._beam import DecodeResult, beam_search
from ._ctc import ctc_beam_search_decode, ctc_greedy_decode
from ._greedy import greedy_search

__all__ = [
    "DecodeResult",
    "beam_search",
    "greedy_search",
    "ctc_beam_search_decode",
    "ctc_greedy_decode",
]
