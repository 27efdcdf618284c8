"""The claim analysis engine: text in, plain data out. No Django imports here.

from claims.analysis import analyze
result = analyze(text)          # Analysis; result.to_dict() is the contract JSON
"""

from .inputs import InputError, decode_input
from .nlp import ModelUnavailable
from .pipeline import Extraction, analyze, attribute, extract, score, tag_hedges

__all__ = [
    "Extraction",
    "InputError",
    "ModelUnavailable",
    "analyze",
    "attribute",
    "decode_input",
    "extract",
    "score",
    "tag_hedges",
]
