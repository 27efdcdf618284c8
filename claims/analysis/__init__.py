"""The claim analysis engine: text in, plain data out. No Django imports here.

from claims.analysis import analyze
result = analyze(text)          # Analysis; result.to_dict() is the contract JSON
"""

from .corrections import find_corrections
from .header import parse_header
from .inputs import InputError, check_text, decode_input, normalise_newlines
from .nlp import ModelUnavailable
from .pipeline import (
    Extraction,
    analyze,
    attribute,
    extract,
    extraction_from_dict,
    extraction_to_dict,
    score,
    tag_hedges,
)

__all__ = [
    "Extraction",
    "InputError",
    "ModelUnavailable",
    "analyze",
    "attribute",
    "check_text",
    "normalise_newlines",
    "parse_header",
    "decode_input",
    "extract",
    "find_corrections",
    "extraction_from_dict",
    "extraction_to_dict",
    "score",
    "tag_hedges",
]
