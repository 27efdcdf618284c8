"""The analysis of one article, step by step.

``extract`` parses and splits (the only step that needs spaCy); ``attribute``,
``tag_hedges`` and ``score`` work on its plain-data result, so a task queue can
run them as separate steps. ``analyze`` runs them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import attribution, confidence, hedging, kinds
from .claims import ParsedSentence, parse_sentence
from .header import parse_header
from .inputs import check_text
from .nlp import get_nlp
from .segment import Sentence, segment
from .types import Analysis, ArticleMeta, Claim, Span

BATCH_SIZE = 64


@dataclass
class Extraction:
    text: str
    meta: ArticleMeta
    sentences: list[Sentence]
    claims: list[Claim]


def extract(text: str, *, model: str | None = None) -> Extraction:
    """Header, sentences and claim spans with their frames (not yet typed)."""
    check_text(text)
    meta = parse_header(text)
    sentences = segment(text, meta.body_start, len(text), meta.boilerplate)
    nlp = get_nlp(model)
    claims: list[Claim] = []
    for parsed in _parse(nlp, text, sentences):
        claims.extend(_claims_of(parsed, text))
    return Extraction(text, meta, sentences, claims)


def _parse(nlp, text: str, sentences: list[Sentence]) -> Iterable[ParsedSentence]:
    # One sentence per doc: the parser sees our boundaries, and each doc is
    # dropped once read, so memory stays flat on long articles.
    docs = nlp.pipe((text[s.start : s.end] for s in sentences), batch_size=BATCH_SIZE)
    for sent, doc in zip(sentences, docs, strict=True):
        parsed = parse_sentence(doc, sent, text)
        sent.entities = parsed.entities
        yield parsed


def _claims_of(parsed: ParsedSentence, text: str) -> list[Claim]:
    sent = parsed.sentence
    out = []
    for unit in parsed.units:
        labels = [label for s, e, label in parsed.entities if unit.start <= s and e <= unit.end]
        claim_text = text[unit.start : unit.end]
        kind = kinds.kind_of(claim_text, unit.head_lemma, unit.head_tag, unit.aux, set(labels))
        out.append(
            Claim(
                text=claim_text,
                start=unit.start,
                end=unit.end,
                sentence=Span(sent.start, sent.end),
                kind=kind,
                frame=unit.frame,
                origin=unit.origin,
                sentence_index=sent.index,
                quoted=unit.quoted,
                checkworthiness=kinds.checkworthiness(claim_text, kind, labels),
            )
        )
    return out


def attribute(ex: Extraction) -> None:
    attribution.attribute(ex.claims, ex.text, ex.sentences)


def tag_hedges(ex: Extraction) -> None:
    hedging.tag_hedges(ex.claims, ex.text, ex.sentences)


def score(ex: Extraction, policy: dict | None = None) -> None:
    confidence.score_claims(ex.claims, policy)


def analyze(text: str, *, policy: dict | None = None, model: str | None = None) -> Analysis:
    """The whole analysis of one article: the contract's JSON as dataclasses."""
    ex = extract(text, model=model)
    attribute(ex)
    tag_hedges(ex)
    score(ex, policy)
    return Analysis(article=ex.meta, claims=ex.claims)
