"""Who says each claim, what kind of source that is, and how strong.

Two levels: ``describe_source`` reads one source phrase in the parse ("Russia's
foreign minister, Sergei V. Lavrov"); ``attribute`` walks the article in order to
resolve what one sentence cannot: pronouns ("He also said" -> Lavrov), quotes
that continue without a new "he said", and the type and strength of each source.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

from .lexicon import source_nouns
from .segment import PAD, after_closed_quote, inside_quotation, plain_quotes
from .types import Claim, Frame, Source

_MARKS = ('"', "\u201c", "\u201d")
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
HONORIFICS = {"dr.", "mr.", "mrs.", "ms.", "prof.", "sir", "dame", "rev."}
# Titles written before a name, that are not role words of sources.txt.
TITLES = {
    "sen",
    "rep",
    "gov",
    "lt",
    "col",
    "gen",
    "capt",
    "sgt",
    "president",
    "vice",
    "prime",
    "foreign",
    "deputy",
    "former",
    "acting",
    "interim",
    "chief",
    "justice",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "father",
    "sister",
    "brother",
    "rabbi",
    "imam",
    "bishop",
    "cardinal",
    "senator",
    "congressman",
    "congresswoman",
    "councilman",
    "councilwoman",
    "speaker",
    "attorney",
    "secretary",
    "commissioner",
    "superintendent",
    "sheriff",
    "coach",
    "detective",
    "officer",
    "sergeant",
    "lieutenant",
    "colonel",
    "major",
    "captain",
    "admiral",
    "ambassador",
    "chancellor",
    "premier",
    "president-elect",
    # Honorifics written without a full stop (British style), and forms of address.
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "rev",
    "st",
    "sir",
    "dame",
    "lord",
    "lady",
    "madam",
    "mister",
    "reverend",
    "pastor",
    "deacon",
    "elder",
    "sheikh",
    "emir",
    "sultan",
    "ayatollah",
    "baron",
    "baroness",
    "count",
    "countess",
    "duke",
    "duchess",
    "earl",
    "agent",
    "representative",
    "delegate",
    "assemblyman",
    "assemblywoman",
    "alderman",
    "councillor",
    "councilor",
    "trooper",
    "marshal",
    "nurse",
    "dean",
    "principal",
    "uncle",
    "aunt",
    "grandma",
    "grandpa",
    "saint",
    "rival",
    "candidate",
}
AFFILIATION_PREPS = {"at", "of", "from", "with", "in"}
# Words inside an organisation's name that make it a part of government:
# "the U.S. Department of Energy", "the Ministry of Health".
AGENCY_NAME_WORDS = {
    "department", "ministry", "agency", "bureau", "office", "commission",
    "administration", "service", "police", "army", "navy", "council", "parliament",
    "senate", "congress", "court", "government", "cabinet",
}  # fmt: skip
# The state speaking as a whole, by metonym: moderate, however proper the name.
COLLECTIVE_STATE = {"kremlin", "white house", "pentagon", "downing street", "elysée", "elysee"}
ORG_NAME_WORDS = {
    "inc", "inc.", "corp", "corp.", "group", "institute", "university", "research",
    "association", "foundation", "company", "party", "committee", "observatory",
    "center", "centre", "council", "union", "network", "bank", "fund", "pharma",
    "pharmaceuticals", "holdings", "technologies", "technology", "labs", "systems",
    "energy", "motors", "airlines", "media", "capital", "partners", "ventures", "ltd",
    "llc", "plc", "gmbh", "ag", "sa", "co", "co.", "corporation", "industries",
}  # fmt: skip
THIRD_PERSON = {"he": "person", "him": "person", "she": "person", "her": "person",
                "they": "plural", "them": "plural", "it": "thing"}  # fmt: skip
RELATIVE_WORDS = {"which", "who", "whom", "whose", "where", "when"}
RECENT = 20
# A role named later: how many sentences ahead, and how near the name the role word sits.
NAMED_AHEAD = 2
ROLE_WINDOW = 40
STRENGTHS = ["none", "weak", "moderate", "strong"]


def describe_source(subj, offset: int, exclude: set[int]) -> Frame:
    """Read the source phrase headed by ``subj`` (a spaCy token)."""
    doc = subj.doc
    toks = _phrase_tokens(subj, exclude)
    frame = Frame(
        source_start=offset + doc[toks[0]].idx,
        source_end=offset + doc[toks[-1]].idx + len(doc[toks[-1]]),
        head_lemma=subj.lemma_.lower(),
        head_tag=subj.tag_,
        plural=subj.tag_ in ("NNS", "NNPS") or subj.lower_ in ("they", "them", "we"),
        modifiers=[doc[i].lower_ for i in toks],
        anonymous=withholds_name(subj, exclude),
    )
    name = (
        _entity_of(subj)
        or next((_entity_of(c) for c in subj.children if c.dep_ == "appos" and _entity_of(c)), None)
        or _trailing_name(subj, toks)
    )
    if name is not None:
        ent_start, ent_end, label = name
        if label != "PERSON" and subj.lemma_.lower() in source_nouns()["role"]:
            label = "PERSON"  # "The chief executive, Caroline Dufresne" names a person
        if label == "PERSON" and _first_name_left_out(doc, toks[0], ent_start, ent_end):
            ent_start -= 1  # "Ana Gómez": the recogniser may leave a first name out
        while ent_start > toks[0] and doc[ent_start - 1].lower_ in HONORIFICS:
            ent_start -= 1  # "Dr. Sofia Marchetti"
        while ent_start < ent_end - 1 and doc[ent_start].is_punct:
            ent_start += 1  # the recogniser may take a dash or quote into the name
        frame.name_start = offset + doc[ent_start].idx
        frame.name_end = offset + doc[ent_end - 1].idx + len(doc[ent_end - 1])
        frame.entity = label
        frame.name_head = doc[ent_start:ent_end].root.lemma_.lower()
        frame.role = _role(doc, toks, ent_start, ent_end)
    elif subj.pos_ == "PROPN" or (subj.is_title and not _is_source_noun(subj)):
        # A name the recogniser missed: "Moe said ...", "the Alzheimer's Association".
        parts = [c for c in subj.children if c.dep_ in ("compound", "poss") and c.pos_ == "PROPN"]
        start = min([subj.i, *(t.i for c in parts for t in c.subtree)])
        frame.name_start = offset + doc[start].idx
        frame.name_end = offset + subj.idx + len(subj)
    for prep in subj.children:  # "a team at the Calder Institute of Technology"
        if prep.dep_ == "prep" and prep.lower_ in AFFILIATION_PREPS:
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            ent = _entity_of(obj) if obj is not None else None
            if ent is not None and ent[2] in ("ORG", "FAC"):
                frame.org_name = doc[ent[0] : ent[1]].text.replace(PAD, "")
                frame.org_entity = ent[2]
    return frame


def _first_name_left_out(doc, first: int, ent_start: int, ent_end: int) -> bool:
    """Whether the word before a one-word person ("Gómez" of "Ana Gómez") is a first
    name the recogniser left out: a capitalised proper noun compounded into the
    name, in no entity of its own, neither a title ("Minister", "Sen.") nor a
    role word. A name of two words or more is taken as recognised ("Rival Dana
    Holt")."""
    if ent_end - ent_start != 1 or ent_start <= first:
        return False
    tok = doc[ent_start - 1]
    return (
        tok.pos_ == "PROPN"
        and tok.dep_ == "compound"
        and tok.head.i < ent_end
        and tok.head.i > tok.i
        and not tok.ent_type_
        and tok.is_title
        and tok.is_alpha
        and tok.lemma_.lower() not in source_nouns()["role"]
        and tok.lower_.rstrip(".") not in TITLES
    )


def withholds_name(subj, exclude: set[int]) -> bool:
    """Whether the source phrase, or the frame around it, says the source spoke
    without being named: "an official, who spoke on condition of anonymity",
    "said the official, who was not authorised to speak publicly"."""
    words = [t.lower_ for t in subj.subtree if t.i not in exclude]
    if subj.dep_ in ("nsubj", "nsubjpass"):
        # "..., said on condition of anonymity": an adjunct of the reporting verb
        for c in subj.head.children:
            if c.dep_ in ("prep", "advcl", "advmod") and c.i not in exclude:
                words += [t.lower_ for t in c.subtree if t.i not in exclude]
    phrase = " ".join(words)
    return any(p in phrase for p in source_nouns().get("anonymity", ()))


def _trailing_name(subj, toks: list[int]):
    """ "The company that operates the dam, Hydra Power Inc.": a name set off by a
    comma at the end of the phrase names its head when the two agree (an
    organisation noun and an ORG). "Lawyers for the warehouse owner, Gemma
    Strand" does not: a single person cannot be the plural "lawyers"."""
    doc = subj.doc
    for ent in doc.ents:
        if ent.end - 1 != toks[-1] or ent.start == 0 or doc[ent.start - 1].text != ",":
            continue
        head = subj.lemma_.lower()
        if ent.label_ == "ORG" and head in source_nouns().get("organization", ()):
            return ent.start, ent.end, ent.label_
        if ent.label_ == "PERSON" and subj.tag_ == "NN" and head not in source_nouns()["document"]:
            return ent.start, ent.end, ent.label_
    return None


def _is_source_noun(tok) -> bool:
    lemma = tok.lemma_.lower()
    return any(lemma in words for words in source_nouns().values()) or tok.is_stop


def _phrase_tokens(subj, exclude: set[int]) -> list[int]:
    """The source phrase, without a trailing non-restrictive clause:
    "Professor Kenji Arata of Osaka Metropolitan University, who was not
    involved in the study" -> up to "University"."""
    drop: set[int] = set()
    for c in subj.subtree:
        after_comma = c.left_edge.i > 0 and subj.doc[c.left_edge.i - 1].text == ","
        if c.dep_ in ("relcl", "acl") and c.i > subj.i and after_comma:
            drop.update(t.i for t in c.subtree)
    keep = [t.i for t in subj.subtree if t.i not in drop and t.i not in exclude]
    keep = [i for i in keep if i <= max(keep)]
    doc = subj.doc
    for n, i in enumerate(keep[:-1]):
        # Cut at the first ", which ..." however the parser attached the clause.
        if n > 0 and doc[i].text == "," and doc[i + 1].lower_ in RELATIVE_WORDS:
            keep = keep[:n]
            break
    while len(keep) > 1 and (doc[keep[-1]].is_punct or doc[keep[-1]].dep_ == "cc"):
        keep.pop()
    while len(keep) > 1 and doc[keep[0]].is_punct:
        keep.pop(0)
    # The phrase is contiguous from its first to its last word.
    return list(range(keep[0], keep[-1] + 1))


def _entity_of(tok):
    if tok is None or tok.ent_type_ not in NAME_LABELS:
        return None
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent.start, ent.end, ent.label_
    return None


def _role(doc, toks: list[int], ent_start: int, ent_end: int) -> str | None:
    """What is left of the phrase once the name is out: "Russia's foreign minister"."""
    words = [doc[i] for i in toks if not ent_start <= i < ent_end]
    while words and (words[0].is_punct or words[0].dep_ == "det"):
        words.pop(0)
    while words and words[-1].is_punct:
        words.pop()
    # The parser's words: the analysis view's, so without the pad that stands in
    # for the combining marks of decomposed text ("café" as "e" and an accent).
    text = " ".join(w.text for w in words if w.text != ",").replace(PAD, "")
    return text.replace(" 's", "'s").strip() or None


@dataclass
class _Memory:
    """Sources met so far, for resolving pronouns."""

    # Recent sources only: pronouns point back a few sentences, and a long
    # article must not make every lookup slower (bounded deques).
    persons: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    # Singular sources that "he" or "she" can refer back to: named or not.
    speakers: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    groups: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    things: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    surnames: set[str] = field(default_factory=set)
    # Names met anywhere in the text, so that a bare "Corvane" or "Moe" later is
    # typed as what its full mention was.
    # The label a name had when first met in full: a later bare "Lavrov" that
    # the recogniser calls an organisation is still the person.
    names: dict[str, str] = field(default_factory=dict)

    def read(self, text: str, entities) -> None:
        for start, end, label in entities:
            words = text[start:end].removeprefix("the ").split()
            if len(words) < 2:
                continue
            if label == "PERSON":
                self.names.setdefault(words[-1].lower(), "named_person")
            elif label == "ORG":
                self.names.setdefault(words[0].lower(), "named_organization")

    def name_kind(self, name: str) -> str | None:
        words = name.split()
        return self.names.get(words[0]) if len(words) == 1 else None

    def remember(self, source: Source, plural: bool) -> None:
        if source.type == "named_person":
            self.persons.append(source)
            self.speakers.append(source)
            self.surnames.update((source.text or "").lower().split()[-1:])
        elif plural:
            self.groups.append(source)
        elif source.type == "unnamed":
            self.speakers.append(source)  # "a neighbor ... she said"
        if source.type in ("named_organization", "government", "document"):
            self.things.append(source)
            if plural:
                self.groups.append(source)

    def knows_person(self, name: str) -> bool:
        """A later bare surname ("Lavrov", "Moe") for a person named before."""
        return bool(name.split()) and name.split()[-1] in self.surnames

    def resolve(self, pronoun: str) -> Source | None:
        kind = THIRD_PERSON.get(pronoun.lower())
        pool = {"person": self.speakers, "plural": self.groups, "thing": self.things}.get(kind)
        return pool[-1] if pool else None


def source_of(frame: Frame, text: str, memory: _Memory) -> Source:
    """Turn a frame into a typed source, resolving a pronoun through ``memory``."""
    mention = text[frame.source_start : frame.source_end]
    if frame.head_tag == "PRP":
        found = memory.resolve(mention.strip())
        src = Source(
            text=found.text if found else mention,
            type=found.type if found else "unnamed",
            role=found.role if found else None,
        )
        src.start, src.end, src.mention = frame.source_start, frame.source_end, mention
        return src
    if frame.name_start is not None:
        start, end = frame.name_start, frame.name_end
    else:
        start, end = frame.source_start, frame.source_end
    src = Source(
        text=text[start:end], start=start, end=end, mention=text[start:end], role=frame.role
    )
    src.type = _type_of(frame, text, memory)
    return src


def _type_of(frame: Frame, text: str, memory: _Memory) -> str:
    nouns = source_nouns()
    if frame.anonymous:
        return "unnamed"
    name = text[frame.name_start : frame.name_end].lower() if frame.name_start is not None else ""
    head = frame.head_lemma or ""
    phrase = " ".join(frame.modifiers)
    if set(name.replace(",", " ").split()[-1:]) & ORG_NAME_WORDS:
        return "named_organization"  # "Veltrix Pharma" even if tagged as a person
    if memory.name_kind(name):
        return memory.name_kind(name)  # "Corvane said", after "Corvane Therapeutics"
    if frame.entity == "PERSON" or memory.knows_person(name):
        return "named_person"
    if frame.entity in ("ORG", "FAC"):
        # Typed by the name's head: "the Lakeview Police Department" is government,
        # "the Lakeview Police Accountability Project" is not.
        if name.removeprefix("the ") in COLLECTIVE_STATE or frame.name_head in AGENCY_NAME_WORDS:
            return "government"
        return "named_organization"
    if frame.entity == "GPE":
        return "government"
    if frame.entity == "NORP":
        return "unnamed"
    if any(p in phrase for p in nouns["government"] if " " in p) or head in nouns["government"]:
        return "government"
    if head in nouns["agency"] and not frame.org_name:
        return "government"  # "the county sheriff's office", "the department"
    if head in nouns["document"]:
        return "document"
    if frame.org_name and (head in nouns["group"] or head in nouns["unnamed"]):
        org_words = set(frame.org_name.lower().split())
        return "government" if org_words & AGENCY_NAME_WORDS else "named_organization"
    if head in nouns["organization"] and "the" in frame.modifiers[:1]:
        # "the company said in a statement": the article's own organisation,
        # named elsewhere and speaking on the record.
        return "named_organization"
    if head in nouns["spokesperson"] or head in nouns["unnamed"] or head in nouns["group"]:
        return "unnamed"
    if name:
        if set(name.split()) & ORG_NAME_WORDS:
            return "named_organization"
        return "named_organization" if frame.head_tag == "NNPS" else "named_person"
    return "unnamed"


def strength_of(source: Source, frame: Frame | None) -> str:
    """Sourcing strength by the contract's scale, lowered one step for a relay."""
    if frame is None or source.type == "none":
        return "none"
    if frame.anonymous:
        return "weak"
    nouns = source_nouns()
    head = frame.head_lemma or ""
    words = set(frame.modifiers)
    if source.type in ("named_person", "named_organization"):
        strength = "strong"
    elif source.type == "government":
        # The state speaking ("Russia", "the Kremlin", a defence ministry, police)
        # is moderate; a named technical agency on the record ("the U.S.
        # Department of Energy", a statistics office) is strong.
        name = f"{source.text or ''} {frame.org_name or ''}".lower()
        technical = any(word in name for word in nouns["technical"])
        strength = "strong" if technical and (frame.entity or frame.org_name) else "moderate"
    elif source.type == "document":
        strength = "moderate" if words & nouns["unclear"] else "strong"
    elif head in nouns["spokesperson"]:
        strength = "moderate"
    else:
        strength = "weak"
    if frame.relayed and strength == "strong":
        strength = "moderate"
    return strength


def attribute(claims: list[Claim], text: str, sentences) -> None:
    """Fill ``source`` and ``sourcing_strength`` of every claim, in article order.

    ``sentences`` are the segmenter's sentences (paragraph and quote state).
    """
    memory = _Memory()
    by_sentence: dict[int, list[Claim]] = {}
    for claim in claims:
        by_sentence.setdefault(claim.sentence_index, []).append(claim)
    last_quote: tuple[int, Claim] | None = None  # (paragraph, claim) of the last quoted speaker
    pending: list[tuple[Claim, Claim]] = []  # quoted claims waiting for a later "she said"
    speakers = _Speakers(sentences)
    view = plain_quotes(text)  # the quotation marks that segment and parser saw
    narration = -1  # the last sentence in the reporter's own voice, no quotation in it
    for sent in sentences:
        memory.read(text, sent.entities)
        group = by_sentence.get(sent.index, [])
        if sent.speaker is not None:
            group = [*group, speakers.get(sent.index)]
        framed = [c for c in group if c.frame is not None]
        for claim in group:
            if claim.frame is None and claim.quoted:
                speaker = _quote_speaker(sent, sentences, by_sentence, last_quote, speakers, view)
                if speaker is not None:
                    claim.frame, claim.origin = speaker.frame, "quote_continuation"
                    pending.append((claim, speaker, None))
                    continue
            if claim.quoted and _first_person(claim.frame):
                # '"... I think it is wiser to wait," Clinton said.': the "I" of a
                # quotation is whoever the quotation belongs to.
                speaker = _quote_speaker(sent, sentences, by_sentence, last_quote, speakers, view)
                if speaker is not None and speaker is not claim:
                    pending.append((claim, speaker, None))
                    continue
            relay_of = None
            if claim.quoted and _inside_quotation(claim.frame, view, sent):
                # '"Patients wait for hours. Doctors keep saying the wing will open
                # in May," the nurse said.': a frame inside the quotation is the
                # speaker reporting others' words; the speaker is the source on
                # record, and whose words they report is noted, as for nested speech.
                speaker = _quote_speaker(sent, sentences, by_sentence, last_quote, speakers, view)
                if (
                    speaker is not None
                    and speaker.sentence_index > narration
                    and speaker.frame is not claim.frame
                    and not _inside_quotation(speaker.frame, view, _sentence_at(sentences, speaker))
                ):
                    relay_of = speaker
            if claim.frame is None or not _names_anyone(claim.frame, text):
                claim.source, claim.sourcing_strength = Source(), "none"
                continue
            claim.source = source_of(claim.frame, text, memory)
            if claim.source.type == "unnamed":
                _name_from_next(
                    claim, text, sentences[sent.index + 1 : sent.index + 1 + NAMED_AHEAD]
                )
            claim.source.verb = claim.frame.verb
            claim.source.relayed = claim.frame.relayed
            if claim.frame.via_start is not None:
                claim.source.via = _via(claim.frame, text, memory, claim.source)
            claim.sourcing_strength = strength_of(claim.source, claim.frame)
            if relay_of is not None:
                pending.append((claim, relay_of, claim.source.text))
        for claim in framed:
            memory.remember(claim.source, claim.frame.plural)
        quoted = [c for c in group if c.quoted and c.frame is not None]
        if quoted:
            last_quote = (sent.paragraph, quoted[-1])
        if not sent.starts_in_quote and not any(q in view[sent.start : sent.end] for q in _MARKS):
            narration = sent.index  # '"We will win," Koller said. Her rival spoke next.'
    # Speakers named after the quote ('"One. Two," she said.') are resolved by now.
    for claim, speaker, via in pending:
        claim.source = _copy(speaker.source)
        claim.source.via = via or claim.source.via
        claim.sourcing_strength = speaker.sourcing_strength


def _name_from_next(claim: Claim, text: str, following) -> None:
    """ "Germany's interior minister said ... Nancy Faeser, the interior minister,
    added ...": a singular role that the next sentences name is that person."""
    frame = claim.frame
    role = frame.head_lemma or ""
    if frame.plural or frame.anonymous or role not in source_nouns()["role"]:
        return
    for sent in following:
        for start, end, label in sent.entities:
            near = text[max(sent.start, start - ROLE_WINDOW) : min(sent.end, end + ROLE_WINDOW)]
            if label == "PERSON" and len(text[start:end].split()) > 1 and role in near.lower():
                claim.source.role = claim.source.text
                claim.source.text, claim.source.type = text[start:end], "named_person"
                return


class _Speakers:
    """A stand-in claim for each sentence's quote speaker (Sentence.speaker), so
    that a quotation whose own claims are too short to keep ('"Full panic
    mode," said Leslie Wimes.') or that comes after 'He said:' still has one."""

    def __init__(self, sentences):
        self.sentences, self.made = sentences, {}

    def get(self, index: int) -> Claim:
        if index not in self.made:
            sent = self.sentences[index]
            self.made[index] = Claim(
                text="", start=sent.start, end=sent.start, sentence=sent.span,
                frame=sent.speaker, origin="speaker", sentence_index=index, quoted=True,
            )  # fmt: skip
        return self.made[index]


def _quote_speaker(sent, sentences, by_sentence, last_quote, speakers, view) -> Claim | None:
    """The speaker of an unattributed quoted sentence: the attribution later in
    the same quotation ("One. Two," she said.) or the speaker of the quote just
    before it ('..." Lavrov said. "There is no possibility ...')."""
    i = sent.index
    while i < len(sentences) and sentences[i].paragraph == sent.paragraph:
        # A frame inside the quotation ('"... Trump said Hispanics live in hell."')
        # is the speaker quoting someone, not who the quotation belongs to.
        later = [
            c
            for c in by_sentence.get(i, [])
            if c.frame is not None
            and c.quoted
            and not _first_person(c.frame)
            and c.frame.verb_start is not None
            and after_closed_quote(view, sentences[i], c.frame.verb_start)
        ]
        if later:
            return later[0]
        if sentences[i].speaker is not None:
            return speakers.get(i)
        if not sentences[i].ends_in_quote:
            break
        i += 1
    if last_quote is not None and last_quote[0] >= sent.paragraph - 1:
        return last_quote[1]
    return None


def _inside_quotation(frame: Frame | None, view: str, sent) -> bool:
    """Whether the frame's verb stands inside a quotation: the words of whoever is quoted."""
    return (
        frame is not None
        and frame.verb_start is not None
        and inside_quotation(view, sent, frame.verb_start)
    )


def _sentence_at(sentences, claim: Claim):
    """The sentence that holds the claim's frame verb (a quote continuation's frame
    is in an earlier sentence than the claim)."""
    pos = claim.frame.verb_start if claim.frame is not None else None
    if pos is None:
        return sentences[claim.sentence_index]
    i = bisect_right(sentences, pos, key=lambda s: s.start) - 1
    return sentences[i] if i >= 0 else sentences[claim.sentence_index]


def _names_anyone(frame: Frame, text: str) -> bool:
    """Whether the frame's source has a word in it: a quotation mark or a dash that
    the parser made the subject of "said" (a typography it does not know) is no one."""
    if frame.source_start is None:
        return True
    return any(ch.isalnum() for ch in text[frame.source_start : frame.source_end])


def _first_person(frame: Frame | None) -> bool:
    return frame is not None and frame.head_tag == "PRP" and frame.head_lemma in ("i", "we")


def _via(frame: Frame, text: str, memory: _Memory, source: Source) -> str:
    mention = text[frame.via_start : frame.via_end]
    if frame.via_tag == "PRP":
        others = [p for p in memory.persons if p.text != source.text]
        return others[-1].text if others else mention
    return mention


def _copy(source: Source) -> Source:
    return Source(**{k: getattr(source, k) for k in source.__dataclass_fields__})
