"""Reporting frames that the dependency parse misses, found by their shape.

A small parser often leaves a quotation unattached to the verb that reports
it ('"A lot of it comes across as pandering," he said.' parses with no
clausal complement), or takes "Said" in 'Said Ellis: "..."' for a noun. The
speaker is still plain from the surface: a reporting verb and its subject
after a comma or closing quote at the end of the sentence, before a colon at
its start, or an "According to X," that the parser made the root. These rules
run after the dependency walk and only on reporting verbs it found no frame
for; they give the frame to the frameless claims of the words it reports.
"""

from __future__ import annotations

from . import attribution
from .lexicon import reporting_verbs
from .types import Frame

QUOTES = {'"', "\u201c", "\u201d", "''", "``", "'", "\u2018", "\u2019"}
# What may stand between the reported words and a frame after them.
SEPARATORS = QUOTES | {",", "\u2014", "\u2013", "--", "-"}
# A colon frame is short: "Said Ellis:", "As Ryan acknowledges:", "He said:".
MAX_COLON_FRAME = 8
NAME_TAGS = {"NNP", "NNPS", "PRP", "NN", "NNS"}


def add_surface_frames(builder) -> None:
    """Frames for the reporting verbs of this sentence that have none yet."""
    doc = builder.doc
    if len(doc) == 0:
        return
    if _according(builder) or _dash_attribution(builder):
        return
    for verb in doc:
        if not _is_reporting(verb) or builder.frame_for(verb) is not None:
            continue
        if builder.withheld(verb):
            continue  # "could not confirm that ...", "declined to say"
        rules = (_trailing, _introducing, _colon_leading, _leading_that, _leading_clause)
        if any(rule(builder, verb) for rule in rules):
            return


def _is_reporting(tok) -> bool:
    tags = reporting_verbs().get(tok.lemma_.lower())
    if tags is None or "naming" in tags:
        return False  # "called the plan a disaster": only the parse can read it
    if tok.tag_.startswith("VB"):
        return True
    # "Trump claims that ...", "the doctor maintains.": a verb the tagger took
    # for a plural noun, right after its subject.
    return (
        tok.tag_ == "NNS"
        and tok.lower_.endswith("s")
        and tok.lemma_.lower() in reporting_verbs()
        and tok.i > 0
        and tok.doc[tok.i - 1].tag_ in NAME_TAGS | {"POS"}
        and (tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].lower_ in ("that", ".", ","))
    )


def _leading_that(builder, verb) -> bool:
    """ "Trump claims that A", "The Times reported at the time that A": a frame
    and a "that" clause the parser did not attach to it."""
    doc = builder.doc
    that = None
    for t in doc[verb.i + 1 :]:
        if t.lower_ == "that":
            that = t.i
            break
        if t.pos_ in ("VERB", "AUX") or (t.dep_ == "dobj" and t.head.i == verb.i):
            return False  # an object or another clause first: not "said ... that"
    if that is None or len(doc) - that < 4:
        return False
    subj = _subject_before(builder, verb)
    if subj is None:
        return False
    exclude = set(range(verb.i, len(doc))) | set(range(0, subj.left_edge.i))
    frame = _frame(builder, subj, verb, exclude)
    content = range(that + 1, len(doc))
    return _reframe(builder, frame, content=content, frame_tokens=range(verb.i, that))


def _leading_clause(builder, verb) -> bool:
    """ "Trump said after the convention he would not accept it": a clause with
    its own subject after the frame, which the parser hung elsewhere."""
    doc = builder.doc
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or verb.i + 2 >= len(doc):
        return False
    clause = None
    for t in doc[verb.i + 1 :]:
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if t.pos_ in ("VERB", "AUX") and subj is not None and subj.i > verb.i:
            clause = t
            break
        if t.text in DASHES and not _in_word(t):
            return False  # "snacks — often they're called ...": an aside, not what is said
        if t.dep_ in ("aux", "auxpass", "neg") and t.head.i > t.i:
            continue  # "would" of "she would not sign": the clause's own verb is ahead
        if t.pos_ in ("VERB", "AUX") or t.text in (",", ";", ":") or t.dep_ == "dobj":
            return False  # something else comes first: not "said [when] A"
    if clause is None:
        return False
    subj = _subject_before(builder, verb)
    if subj is None:
        return False
    first = min(t.i for t in (clause, *clause.children) if t.dep_ in ("nsubj", "nsubjpass")
                or t.i == clause.i)  # fmt: skip
    first = doc[first].left_edge.i
    exclude = set(range(verb.i, len(doc))) | set(range(0, subj.left_edge.i))
    frame = _frame(builder, subj, verb, exclude)
    return _reframe(
        builder, frame, content=range(first, len(doc)), frame_tokens=range(verb.i, first)
    )


def _in_word(tok) -> bool:
    """Whether ``tok`` is a hyphen inside a word ("two-hour"), not a dash."""
    return tok.text == "-" and tok.i > 0 and not tok.whitespace_ and not tok.nbor(-1).whitespace_


def _subject_before(builder, verb):
    """The subject of ``verb``: its own, that of the verb it depends on
    ("continues to insist"), or the name just before it."""
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return None  # "relatives had been told that ...": a relay, read by the parse
    for v in (verb, verb.head) if verb.dep_ == "xcomp" else (verb,):
        subj = next((c for c in v.children if c.dep_ == "nsubj" and c.i < verb.i), None)
        if subj is not None:
            return subj
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    if before is not None and before.tag_ in NAME_TAGS:
        return before
    return None


def _trailing(builder, verb) -> bool:
    """'"...," he said.' / '"...," said Sanders, a senator.': a frame at the end."""
    doc = builder.doc
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    # '...," said Leslie Wimes': the name after the verb, even when the parser
    # also made a subject of the quoted words before it
    subj = next((c for c in subjects if c.i > verb.i), subjects[0] if subjects else None)
    if subj is None and verb.i + 1 < len(doc) and doc[verb.i + 1].tag_ in ("NNP", "NNPS"):
        subj = doc[verb.i + 1]  # inverted: "said Sanders"
    named = _named_after_quote(doc, verb) if subj is None else None
    if named is not None:
        subj, lo = named
    elif subj is None or subj.tag_ not in NAME_TAGS:
        return False
    else:
        lo = min(verb.i, subj.left_edge.i if subj.i < verb.i else subj.i)
    in_subject = {t.i for t in subj.subtree}  # "said James Acton, who directs ..."
    if any(t.pos_ in ("VERB", "AUX") and t.i != verb.i and t.i not in in_subject for t in doc[lo:]):
        return False  # another clause follows: not a closing frame
    gap = lo - 1
    while gap > 0 and doc[gap].is_space:
        gap -= 1  # the space after a doubled quote ('' read as '" ')
    if gap < 1 or doc[gap].text not in SEPARATORS:
        return False
    while gap > 0 and doc[gap - 1].text in SEPARATORS:
        gap -= 1
    exclude = set(range(0, lo)) | {verb.i}
    if subj.i > verb.i:
        exclude |= set(range(verb.i + 1, subj.i)) - {t.i for t in subj.subtree}
    frame = _frame(builder, subj, verb, exclude)
    return _reframe(builder, frame, content=range(0, gap), frame_tokens=range(lo, len(doc)))


def _named_after_quote(doc, verb):
    """'"...," Gene Sperling, a Clinton adviser, said at an event.' when the parser
    took the name into the quotation: the words between the closing quote and
    the verb, if they are one noun phrase with no verb, are the speaker. Returns
    (the phrase's head, its first token) or None."""
    i = verb.i - 1
    while i > 0 and (doc[i].text in (",", "\u2014", "\u2013") or doc[i].is_space):
        i -= 1
    end = i
    while i > 0 and doc[i].text not in QUOTES:
        i -= 1
    if i == 0 or end - i > MAX_COLON_FRAME * 2 or end <= i:
        return None
    phrase = doc[i + 1 : end + 1]
    if any(t.pos_ in ("VERB", "AUX") for t in phrase):
        return None
    heads = [t for t in phrase if not (i < t.head.i <= end)]
    if len(heads) != 1 or heads[0].tag_ not in ("NNP", "NNPS"):
        return None
    return heads[0], i + 1


def _introducing(builder, verb) -> bool:
    """ "He said:" closing its sentence: the frame of the quotation that follows
    (kept in the sentence's frames; attribution gives it to the next quote)."""
    doc = builder.doc
    last = len(doc) - 1
    while last > 0 and doc[last].text in QUOTES:
        last -= 1
    if doc[last].text != ":" or last - verb.i > MAX_COLON_FRAME:
        return False
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.tag_ not in NAME_TAGS:
        return False
    _frame(builder, subj, verb, set(range(last, len(doc))) | {verb.i})
    return True


def _colon_leading(builder, verb) -> bool:
    """'Said Ellis: "..."', 'As Ryan acknowledges: "..."', 'He said, "..."'."""
    doc = builder.doc
    colon = next(
        (t.i for t in doc[verb.i + 1 : verb.i + MAX_COLON_FRAME] if _opens_content(t)), None
    )
    if colon is None or colon > MAX_COLON_FRAME or len(doc) - colon < 4:
        return False
    before = doc[:colon]
    if any(t.pos_ in ("VERB", "AUX") and t.i != verb.i and t.dep_ != "aux" for t in before):
        return False
    subj = next((c for c in verb.children if c.dep_ == "nsubj" and c.i < colon), None)
    if subj is None:
        names = [t for t in before if t.i != verb.i and t.tag_ in NAME_TAGS]
        subj = names[-1] if names else None
    if subj is None:
        return False
    exclude = set(range(colon, len(doc))) | {verb.i}
    if subj.i > verb.i:
        exclude |= set(range(0, verb.i))
    frame = _frame(builder, subj, verb, exclude)
    return _reframe(builder, frame, content=range(colon + 1, len(doc)), frame_tokens=range(colon))


DASHES = {"\u2015", "\u2014", "\u2013", "--", "-"}


def _dash_attribution(builder) -> bool:
    """'"He represents our greatest shame." \u2015 Sonya Herridge': a pull quote
    signed with a dash and a name, as web copy and listicles print them."""
    doc = builder.doc
    dash = next((t.i for t in doc[1:] if t.text in DASHES and doc[t.i - 1].text in QUOTES), None)
    if dash is None or dash + 1 >= len(doc):
        return False
    name = doc[dash + 1]
    if name.tag_ not in ("NNP", "NNPS") or any(t.pos_ in ("VERB", "AUX") for t in doc[dash + 1 :]):
        return False
    head = name
    while head.head.i != head.i and head.head.i > dash and head.head.tag_ in ("NNP", "NNPS"):
        head = head.head  # "Sonya Herridge": the name's head
    frame = attribution.describe_source(head, builder.offset, set(range(0, dash + 1)))
    start = builder.offset + doc[dash].idx
    frame.set_verb(doc[dash].text, doc[dash].text, start, start + len(doc[dash]))
    builder.frames.append(frame)
    return _reframe(builder, frame, content=range(0, dash), frame_tokens=range(dash, len(doc)))


def _opens_content(tok) -> bool:
    """A colon, or a comma right before an opening quote: 'he said, "..."'."""
    doc = tok.doc
    if tok.text == ":":
        return True
    return tok.text == "," and tok.i + 1 < len(doc) and doc[tok.i + 1].text in QUOTES


def _according(builder) -> bool:
    """ "According to X, A" and "A, according to X" where the parser hung
    "according" somewhere the dependency walk does not look (or made it the root)."""
    doc = builder.doc
    taken = {f.verb_start for f in builder.frames}
    for tok in doc[:-2]:
        if tok.lower_ != "according" or builder.offset + tok.idx in taken:
            continue
        to = doc[tok.i + 1]
        obj = next((c for c in to.children if c.dep_ == "pobj"), None) or next(
            (t for t in reversed(list(to.subtree)) if t.pos_ in ("NOUN", "PROPN", "PRON")), None
        )  # "according to show insiders" parses as a verb phrase
        if to.lower_ != "to" or obj is None:
            continue
        if tok.i == 0:  # "According to X, A"
            comma = next((t.i for t in doc[obj.i + 1 :] if t.text == ","), None)
            if comma is None:
                return False
            content, frame_tokens = range(comma + 1, len(doc)), range(comma)
        elif doc[tok.i - 1].text in (",", "\u2014", "--"):  # "A, according to X."
            content, frame_tokens = range(0, tok.i - 1), range(tok.i, len(doc))
        else:
            continue
        exclude = set(range(0, len(doc))) - set(frame_tokens) | {tok.i, to.i}
        frame = attribution.describe_source(obj, builder.offset, exclude)
        end = builder.offset + to.idx + len(to)
        frame.set_verb("according to", "according to", builder.offset + tok.idx, end)
        builder.frames.append(frame)
        return _reframe(builder, frame, content=content, frame_tokens=frame_tokens)
    return False


def _frame(builder, subj, verb, exclude: set[int]) -> Frame:
    frame = attribution.describe_source(subj, builder.offset, exclude)
    lemma, start = verb.lemma_.lower(), builder.offset + verb.idx
    frame.set_verb(verb.text, lemma, start, start + len(verb), reporting_verbs()[lemma])
    builder.frames.append(frame)
    return frame


def _reframe(builder, frame: Frame, content: range, frame_tokens: range) -> bool:
    """Give ``frame`` to the frameless claims over ``content``; a claim that also
    spans the frame's words keeps only its part inside the content."""
    doc = builder.doc
    if len(content) == 0:
        return False
    lo = builder.offset + doc[content.start].idx
    hi = builder.offset + doc[content.stop - 1].idx + len(doc[content.stop - 1])
    f_lo = builder.offset + doc[frame_tokens.start].idx
    f_hi = builder.offset + doc[frame_tokens.stop - 1].idx + len(doc[frame_tokens.stop - 1])
    kept, cut, reframed = [], [], 0
    for unit in builder.units:
        if unit.frame is not None:
            kept.append(unit)
        elif unit.start < f_hi and f_lo < unit.end:
            cut.append(unit)  # spans the frame: only its reported part stays
        else:
            if lo <= unit.start and unit.end <= hi:
                unit.frame, unit.origin = frame, "reported"
                reframed += 1
            kept.append(unit)
    builder.units = kept
    spans = [(max(lo, u.start), min(hi, u.end)) for u in cut]
    if not spans and not reframed:
        spans = [(lo, hi)]
    for start, end in spans:
        toks = {t.i for t in doc[content.start : content.stop]
                if start <= builder.offset + t.idx < end}  # fmt: skip
        if toks:
            builder.add_unit(toks, doc[min(toks) : max(toks) + 1].root, frame, "reported")
    return True
