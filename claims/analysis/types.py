"""Plain data that the analysis steps pass to each other and return.

Every offset is a Python string index into the text that was analysed, so that
``text[start:end]`` is the span shown to people.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Span:
    start: int
    end: int


@dataclass
class ArticleMeta:
    title: str | None = None
    author: str | None = None
    publication: str | None = None
    published: str | None = None  # ISO 8601, date or date and time
    dateline: str | None = None
    body_start: int = 0
    # Copyright, footer and other boilerplate lines inside the text: never claims.
    boilerplate: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "author": self.author,
            "publication": self.publication,
            "published": self.published,
            "dateline": self.dateline,
            "body_start": self.body_start,
        }


@dataclass
class Source:
    """Who the article says makes a claim.

    ``text`` is the name as it should be shown (a pronoun is resolved to the
    name it refers to); ``start``/``end`` locate the mention in this sentence,
    whose literal words are ``mention``.
    """

    text: str | None = None
    type: str = "none"
    start: int | None = None
    end: int | None = None
    mention: str | None = None
    verb: str | None = None
    role: str | None = None
    # Second-hand sourcing: "said it had received reports", "citing activists".
    relayed: bool = False
    # Nested speech: the person whose words the source reports
    # ("Lavrov said Assad has repeatedly said ..." -> Assad).
    via: str | None = None

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "mention": self.mention,
            "verb": self.verb,
            "role": self.role,
            "relayed": self.relayed,
            "via": self.via,
        }


@dataclass
class Hedge:
    text: str
    category: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Confidence:
    score: float
    level: str
    reasons: list[str]

    def to_dict(self) -> dict:
        return {"score": self.score, "level": self.level, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class SourceRecord:
    """A source's track record on its other claims, as the caller counted it:
    how many got a verdict and how many of those were verified."""

    verified: int
    verdicts: int


@dataclass
class Frame:
    """The "X said" part of a reported claim, as found in the parse.

    Extraction fills it; attribution turns it into a ``Source``.
    """

    source_start: int | None = None
    source_end: int | None = None
    # The name-like core of the source phrase ("Sergei V. Lavrov" inside
    # "Russia's foreign minister, Sergei V. Lavrov") and the rest as role.
    name_start: int | None = None
    name_end: int | None = None
    role: str | None = None
    head_lemma: str | None = None  # "activist", "minister", "record", ...
    head_tag: str | None = None  # PRP for pronouns, NNP/NNPS for names, ...
    entity: str | None = None  # NER label of the name: PERSON, ORG, GPE, NORP
    name_head: str | None = None  # "department" in "the U.S. Department of Energy"
    org_name: str | None = None  # "Calder Institute" in "A team at the Calder Institute"
    org_entity: str | None = None
    plural: bool = False
    verb: str | None = None
    verb_lemma: str | None = None
    verb_start: int | None = None
    verb_end: int | None = None
    verb_tags: list[str] = field(default_factory=list)
    relayed: bool = False
    # Lower-cased words of the source phrase that qualify it: "seen", "another", ...
    modifiers: list[str] = field(default_factory=list)
    # The phrase withholds the name: "an official, who spoke on condition of anonymity".
    anonymous: bool = False
    # Nested speech: where the reported speaker is mentioned, and its POS tag.
    via_start: int | None = None
    via_end: int | None = None
    via_tag: str | None = None
    # ... and the inner reporting verb ("estimated" in "the memo shows staff
    # estimated that ..."), whose stance can hedge the claim.
    inner_verb_start: int | None = None
    inner_verb_end: int | None = None
    inner_verb_tags: list[str] = field(default_factory=list)

    def set_verb(self, text: str, lemma: str, start: int, end: int, tags=()) -> None:
        """The frame's cue ("said", "according to", "claim", a signing dash) and
        its offsets in the text."""
        self.verb, self.verb_lemma = text, lemma
        self.verb_start, self.verb_end = start, end
        self.verb_tags = sorted(tags)


@dataclass
class Claim:
    text: str
    start: int
    end: int
    sentence: Span
    kind: str = "statement"
    frame: Frame | None = None
    source: Source = field(default_factory=Source)
    sourcing_strength: str = "none"
    hedges: list[Hedge] = field(default_factory=list)
    confidence: Confidence | None = None
    checkworthiness: float = 0.0
    # How the claim came about, for people reading the JSON: "reported",
    # "quote_continuation", "background", "unsourced", ...
    origin: str = "unsourced"
    # Index of the sentence in the article, and whether the claim sits inside quotes.
    sentence_index: int = 0
    quoted: bool = False

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentence": {"start": self.sentence.start, "end": self.sentence.end},
            "kind": self.kind,
            "source": self.source.to_dict(),
            "sourcing_strength": self.sourcing_strength,
            "hedges": [h.to_dict() for h in self.hedges],
            "confidence": self.confidence.to_dict() if self.confidence else None,
            "checkworthiness": self.checkworthiness,
            "origin": self.origin,
        }


@dataclass
class Analysis:
    article: ArticleMeta
    claims: list[Claim]

    def to_dict(self) -> dict:
        return {
            "article": self.article.to_dict(),
            "claims": [c.to_dict() for c in self.claims],
        }
