"""The analysis of one article, step by step.

``extract`` parses and splits (the only step that needs spaCy); ``attribute``,
``tag_hedges`` and ``score`` work on its plain-data result, so a task queue can
run them as separate steps. ``analyze`` runs them all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from . import attribution, confidence, hedging, kinds
from .claims import MIN_CLAIM_WORDS, ParsedSentence, Unit, parse_sentence
from .corrections import find_corrections
from .header import parse_header
from .inputs import check_text
from .lexicon import no_comment
from .nlp import get_nlp
from .segment import Sentence, composed, plain_dashes, plain_quotes, plain_spaces, segment
from .types import Analysis, ArticleMeta, Claim, Frame, Span

BATCH_SIZE = 64

log = logging.getLogger(__name__)


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
    view = composed(plain_dashes(plain_spaces(plain_quotes(text))))
    sentences = segment(view, _after_dateline(text, meta), len(text), meta.boilerplate)
    nlp = get_nlp(model)
    claims: list[Claim] = []
    for parsed in _parse(nlp, view, sentences):
        claims.extend(_claims_of(parsed, text))
    claims = hedging.drop_pointing_back(claims, text, sentences)
    claims = _drop_no_comment(claims)
    claims = _drop_calls_to_action(claims, text)
    claims = _drop_in_notices(claims, find_corrections(text))
    return Extraction(text, meta, sentences, claims)


def _drop_in_notices(claims: list[Claim], notices: list[Span]) -> list[Claim]:
    """Without the claims of a correction notice's sentences ("An earlier version
    of this article misstated the number of dead. It was 16, not 14."): the notice
    says what the story got wrong and is shown as such; the corrected figure is
    checked in the story's own sentence."""
    if not notices:
        return claims
    return [
        c
        for c in claims
        if not any(n.start < c.sentence.end and c.sentence.start < n.end for n in notices)
    ]


# The site speaking to its reader, which extraction from a web page keeps when it
# sits inside the article: "Sign up for our newsletter to get the latest updates.",
# "If you're on the app, click here to watch live.", "Follow us on Facebook.",
# "Please accept YouTube cookies to play this video." Not "users who sign up for an
# account get $10" (a claim about the offer), nor "he declined to follow us", nor
# "sites must let users accept or reject cookies" (a claim about cookies). The site
# speaks in its own voice: a sentence attributed to someone ("The texts said to
# click here for a refund, police said") reports the words, and is a claim.
_CALL_TO_ACTION = re.compile(
    r"\b(?:sign(?:ing)?\s+up|subscrib(?:e|ing))\b[^.!?\n]{0,80}?"
    r"\b(?:newsletters?|inbox|our\s+(?:e-?mail|daily|weekly|free|channel))\b"
    r"|\bnewsletter\b[^.!?\n]{0,60}?\b(?:sign\s+up|subscribe)\b"
    r"|\b(?:sign\s+up|subscribe)\s+(?:here|now|today|for\s+free)\b"
    r"|\bplease\s+(?:subscribe|sign\s+up|log\s+in)\b|\bclick\s+here\b|(?<!\w)follow\s+us\b"
    r"|\baccept\b[^.!?\n]{0,40}?\bcookies\s+to\s+(?:play|view|watch|see|load|show|display|"
    r"access|continue|read)\b|\bnever\s+miss\s+(?:the\s+latest|our|a\s+story)\b",
    re.IGNORECASE,
)


# What may stand before a call to action in a sentence that is the site's own voice
# from its start: nothing, a connective ("Then sign up ..."), a clause addressed to
# the reader ("If you're on the app, click here"), a purpose ("To read the full
# story, please subscribe"), or another bidding of the reader ("Get our daily
# edition by email and never miss our top stories").
_READER_PREFIX = re.compile(
    r"^\W*(?:(?:then|so|and|now|please|also|just|or)\W+)*$|\byou(?:r|'re|\u2019re)?\b|^\W*to\s"
    r"|^\W*(?:get|download|join|register|read|watch|listen|tap|share|try|visit|check\s+out)\s",
    re.IGNORECASE,
)
# The end of a clause before a call glued on after it: "..., click here for the vote."
_CLAUSE_END = re.compile(r"[,;:\u2014\u2013-]\s*$")
# A call that bids the reader, which alone may be cut off a claim: not "subscribing
# to the newsletter is automatic" nor "newsletter readers who sign up get alerts",
# which name the thing the sentence is about.
_BIDDING = re.compile(r"(?:please|click|follow|accept|never|sign\s+up|subscribe)\b", re.IGNORECASE)


def _drop_calls_to_action(claims: list[Claim], text: str) -> list[Claim]:
    """Without the calls to the reader to do something on the site (subscribe,
    click, follow): page furniture, nothing to check. A sentence that is the call
    from its start loses all its claims; a call after a claim of news ("The council
    voted 7-2, click here for the full vote") leaves the claim, cut before it; a
    claim that only mentions such words ("Residents who sign up for the flood
    newsletter get alerts earlier") stays whole. A claim with a frame (someone
    said it) is kept: the site does not attribute its own."""
    out = []
    for c in claims:
        call = None if c.frame is not None else _reader_call(text, c.sentence)
        if call is not None and _READER_PREFIX.search(text[c.sentence.start : call]):
            continue  # the whole sentence speaks to the reader
        if call is None or not c.start <= call < c.end:
            out.append(c)
            continue
        before = text[c.start : call]
        if (
            _CLAUSE_END.search(before)
            and len(before.split()) >= MIN_CLAIM_WORDS
            and _BIDDING.match(text, call)
        ):
            end = c.start + len(before.rstrip(" ,;:\u2014\u2013-"))
            c.text, c.end = text[c.start : end], end
            out.append(c)
        elif not _READER_PREFIX.search(before):
            out.append(c)
    return out


def _reader_call(text: str, sentence: Span) -> int | None:
    """Where a call to action starts in ``sentence``, outside quotation marks:
    inside them it is words someone wrote or said ("Scam texts urging people to
    “click here” rose 40 percent"), which the site reports."""
    for m in _CALL_TO_ACTION.finditer(text, sentence.start, sentence.end):
        before = text[sentence.start : m.start()]
        if before.count("\u201c") <= before.count("\u201d") and before.count('"') % 2 == 0:
            return m.start()
    return None


def _drop_no_comment(claims: list[Claim]) -> list[Claim]:
    """ "The ministry did not respond to a request for comment.": a source's
    silence is no claim to check (it says nothing about the world)."""
    pattern = no_comment()
    return [c for c in claims if not pattern.search(c.text)]


# What follows the dateline's place up to its dash: "MOSCOW - ",
# "LONDON, Jan 5 (Reuters) - ". The dateline is metadata, never part of a claim.
_DATELINE_TAIL = re.compile(r"[^\n]{0,60}?\s*(?:-{1,2}|\u2014|\u2013)\s+")


def _after_dateline(text: str, meta: ArticleMeta) -> int:
    pos = meta.body_start
    if not meta.dateline or not text.startswith(meta.dateline, pos):
        return pos
    m = _DATELINE_TAIL.match(text, pos + len(meta.dateline))
    return m.end() if m else pos


def _parse(nlp, text: str, sentences: list[Sentence]) -> Iterable[ParsedSentence]:
    # One sentence per doc: the parser sees our boundaries, and each doc is
    # dropped once read, so memory stays flat on long articles.
    docs = nlp.pipe((text[s.start : s.end] for s in sentences), batch_size=BATCH_SIZE)
    for sent, doc in zip(sentences, docs, strict=True):
        try:
            parsed = parse_sentence(doc, sent, text)
        except Exception:
            # One sentence the rules mishandle must never lose the article: it
            # becomes one unsourced claim, and the rest of the text goes on.
            log.exception("claim extraction failed on sentence %d at %d", sent.index, sent.start)
            parsed = _fallback(doc, sent, text)
        sent.entities = parsed.entities
        sent.speaker = parsed.speaker
        yield parsed


def _fallback(doc, sent: Sentence, text: str) -> ParsedSentence:
    """The whole sentence as one unsourced claim, without its closing punctuation."""
    end = sent.end
    while end > sent.start and (text[end - 1].isspace() or text[end - 1] in ".!?;:"):
        end -= 1
    units = [Unit(sent.start, end, None, "unsourced")] if end > sent.start else []
    entities = [(sent.start + e.start_char, sent.start + e.end_char, e.label_) for e in doc.ents]
    words = [(sent.start + t.idx, sent.start + t.idx + len(t), t.lower_, t.tag_) for t in doc]
    return ParsedSentence(sent, units, [], entities, words)


def _claims_of(parsed: ParsedSentence, text: str) -> list[Claim]:
    sent = parsed.sentence
    context = kinds.sentence_features(parsed.words, parsed.entities, text, sent.start, sent.end)
    out = []
    for unit in parsed.units:
        labels = [label for s, e, label in parsed.entities if unit.start <= s and e <= unit.end]
        claim_text = text[unit.start : unit.end]
        kind = kinds.kind_of(claim_text, unit.head_lemma, unit.head_tag, set(labels))
        features = kinds.claim_features(
            context, parsed.words, text, (unit.start, unit.end), kind, unit.frame is not None
        )
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
                checkworthiness=kinds.checkworthiness(features),
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


# --- Between pipeline steps ------------------------------------------------------
# A task queue runs extract, attribute, tag_hedges and score as separate steps,
# possibly in different processes: the extraction travels as plain JSON.


def extraction_to_dict(ex: Extraction) -> dict:
    return {
        "meta": asdict(ex.meta),
        "sentences": [asdict(s) for s in ex.sentences],
        "claims": [_claim_state(c) for c in ex.claims],
    }


def extraction_from_dict(text: str, data: dict) -> Extraction:
    meta = dict(data["meta"])
    meta["boilerplate"] = [Span(**b) for b in meta.get("boilerplate", [])]
    sentences = [_sentence_from(s) for s in data["sentences"]]
    claims = [_claim_from(c) for c in data["claims"]]
    return Extraction(text, ArticleMeta(**meta), sentences, claims)


def _sentence_from(data: dict) -> Sentence:
    speaker = data.get("speaker")
    return Sentence(
        **{
            **data,
            "entities": [tuple(e) for e in data.get("entities", [])],
            "speaker": Frame(**speaker) if speaker else None,
        }
    )


def _claim_state(claim: Claim) -> dict:
    return {
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "sentence": asdict(claim.sentence),
        "kind": claim.kind,
        "frame": asdict(claim.frame) if claim.frame else None,
        "origin": claim.origin,
        "sentence_index": claim.sentence_index,
        "quoted": claim.quoted,
        "checkworthiness": claim.checkworthiness,
    }


def _claim_from(data: dict) -> Claim:
    return Claim(
        text=data["text"],
        start=data["start"],
        end=data["end"],
        sentence=Span(**data["sentence"]),
        kind=data["kind"],
        frame=Frame(**data["frame"]) if data["frame"] else None,
        origin=data["origin"],
        sentence_index=data["sentence_index"],
        quoted=data["quoted"],
        checkworthiness=data["checkworthiness"],
    )
