"""Decoders as plain functions on arrays: greedy, beam, sampling and CTC searches."""

from ._beam import beam_search
from ._common import DecodeResult
from ._ctc import ctc_beam_search_decode, ctc_greedy_decode
from ._greedy import greedy_search
from ._sampling import sample_search

__all__ = [
    "DecodeResult",
    "beam_search",
    "greedy_search",
    "sample_search",
    "ctc_beam_search_decode",
    "ctc_greedy_decode",
]
