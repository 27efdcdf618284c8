"""Splitting sentences into claims: one checkable proposition each.

Works on the dependency parse of one sentence. A *frame* is a reporting verb
with its source ("Lavrov said", "according to a neighbour"); what it reports
becomes one claim per proposition, and the clauses nobody is reported as saying
become claims of the publication itself. The frame's words stay out of the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import attribution
from .lexicon import content_nouns, hedge_cues, reporting_verbs, source_nouns
from .segment import Sentence, after_closed_quote
from .spans import QUOTE_CHARS, balance_quotes, inside_quotes, trim, without_stranded_punct
from .surface import add_surface_frames
from .types import Frame

MIN_CLAIM_WORDS = 3
CLAUSAL_SUBJECTS = {"nsubj", "nsubjpass", "expl", "csubj"}
# "received reports of deaths": the source passes on what others told it.
RELAY_VERBS = {"receive", "hear", "get", "see", "cite"}
RELAY_OBJECTS = {"report", "account", "word", "information", "claim", "allegation", "message"}
POINTING_BACK = {"the", "this", "that", "these", "those", "his", "her", "their", "its", "such"}
RAISING_VERBS = {"appear", "seem"}
NEGATIVE_SUBJECTS = {"neither", "none", "nobody", "no one", "nor"}
QUANTITY_HEADS = {"twice", "half", "double", "triple", "thrice"}
# Verbs whose addressee comes before what they report ("told a meeting that ...").
ADDRESSEE_VERBS = {"tell", "inform", "assure", "remind", "warn", "advise", "notify", "promise"}
SAYING_DAYS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "tonight",
    "week",
    "month",
    "weekend",
    "night",
}
WH_WORDS = {"who", "whom", "what", "whether", "if", "why", "how", "when", "which", "where"}
RELATIVE_WORDS = {"which", "who", "whom", "that"}


@dataclass
class Unit:
    """A claim candidate: a span of one sentence and the frame that reports it."""

    start: int
    end: int
    frame: Frame | None
    origin: str  # reported, unsourced, background, comment
    quoted: bool = False
    head_lemma: str = ""
    head_tag: str = ""
    aux: list[str] = field(default_factory=list)


@dataclass
class ParsedSentence:
    sentence: Sentence
    units: list[Unit]
    frames: list[Frame]
    # (start, end, label) of named entities and numbers, for kinds and pronouns.
    entities: list[tuple[int, int, str]]
    # Words of the sentence as (start, end, lower text, POS tag): enough for the
    # later steps without keeping the parse in memory.
    words: list[tuple[int, int, str, str]]
    speaker: Frame | None = None


def parse_sentence(doc, sent: Sentence, text: str) -> ParsedSentence:
    builder = _Builder(doc, sent.start, text)
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[0] if len(doc) else None)
    if root is not None:
        builder.clause(root, None, "unsourced")
        add_surface_frames(builder)
    units = _dedupe(builder.units)
    starts_quoted = sent.starts_in_quote or text[sent.start] in QUOTE_CHARS + "\u2018"
    for unit in units:
        unit.quoted = starts_quoted or inside_quotes(text, sent.start, unit.start)
    entities = [(sent.start + e.start_char, sent.start + e.end_char, e.label_) for e in doc.ents]
    words = [(sent.start + t.idx, sent.start + t.idx + len(t), t.lower_, t.tag_) for t in doc]
    speaker = _quote_speaker(builder.frames, text, sent)
    return ParsedSentence(sent, units, builder.frames, entities, words, speaker)


def _quote_speaker(frames: list[Frame], text: str, sent: Sentence) -> Frame | None:
    """The frame that attributes this sentence's quotation: one after a quote mark
    ('Full panic mode," said Leslie Wimes.'), or one that ends the sentence with a
    colon ('He said:') and so introduces the quotation that follows."""
    own = sorted((f for f in frames if f.verb_start is not None), key=lambda f: f.verb_start)
    for frame in own:
        if after_closed_quote(text, sent, frame.verb_start) and frame.head_tag != "PRP$":
            return frame
    if own and text[sent.start : sent.end].rstrip().endswith(":"):
        return own[-1]
    return None


def _dedupe(units: list[Unit]) -> list[Unit]:
    seen, out = set(), []
    for unit in sorted(units, key=lambda u: (u.start, u.end)):
        if (unit.start, unit.end) not in seen:
            seen.add((unit.start, unit.end))
            out.append(unit)
    return out


def _is_clause(tok) -> bool:
    return tok.pos_ in ("VERB", "AUX") and any(c.dep_ in CLAUSAL_SUBJECTS for c in tok.children)


def _has_mark_that(tok) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children)


def _after_comma(tok) -> bool:
    start = tok.left_edge.i
    return start > 0 and tok.doc[start - 1].text in {",", ";", "\u2014", "\u2013", "-"}


def _after_cc(tok) -> bool:
    start = tok.left_edge.i
    return start > 0 and tok.doc[start - 1].dep_ == "cc"


def _has_evidential_gap(span_text: str) -> bool:
    return any(c.category == "evidential_gap" and c.pattern.search(span_text) for c in hedge_cues())


class _Builder:
    def __init__(self, doc, offset: int, text: str):
        self.doc, self.offset, self.text = doc, offset, text
        self.units: list[Unit] = []
        self.frames: list[Frame] = []
        self._frames: dict[int, tuple | None] = {}
        self._lead: dict[int, int] = {}
        # A content's second part: the predicate of "called [the plan] [a disaster]".
        self._also: dict[int, object] = {}
        self._end_at: int | None = None
        self._start_at: int | None = None

    # --- frames -------------------------------------------------------------
    def reporting_tags(self, tok):
        if tok.pos_ not in ("VERB", "AUX"):
            return None
        return reporting_verbs().get(tok.lemma_.lower())

    def contents(self, verb, tags) -> list:
        heads = [c for c in verb.children if c.dep_ == "ccomp"]
        if not heads:
            # "called the plan a disaster", "described him as reckless",
            # "accused her of lying": what is said of the object
            heads = self.predication(verb, tags)
        if not heads and "np" in tags:
            # "pledged to push for ...", "warned officials to act": the infinitive
            # is what is promised or warned of; else the object ("polls show a
            # close race", "she denied wrongdoing").
            heads = [
                c
                for c in verb.children
                if c.dep_ == "xcomp" and c.i > verb.i and _words(c) >= MIN_CLAIM_WORDS
            ]
            # An object too short to be a claim ("promised a veto", "declared
            # bankruptcy") is no content: the clause stays whole.
            heads = heads or [
                c for c in verb.children if c.dep_ == "dobj" and _words(c) >= MIN_CLAIM_WORDS
            ]
        if not heads:
            # "The London-based group said ..., it added": xcomp with a subject.
            heads = [c for c in verb.children if c.dep_ == "xcomp" and _is_clause(c)]
        if not heads:
            # "said legalizing it could put thousands to work": the parser hangs
            # the clause on its gerund subject; the gerund's phrase is the content.
            heads = [
                c
                for c in verb.children
                if c.dep_ == "xcomp"
                and c.tag_ == "VBG"
                and c.i == verb.i + 1
                and any(g.dep_ == "ccomp" and g.i > c.i for g in c.children)
            ]
        if not heads and verb.lemma_.lower() in ADDRESSEE_VERBS:
            # "told a meeting of island leaders that few people understood ...": the
            # parser may hang the "that" clause on the addressee as a relative
            # clause; one complete in itself is what was told.
            heads = [
                r
                for c in verb.children
                if c.dep_ == "dobj"
                for r in c.subtree
                if r.dep_ == "relcl" and _content_clause(r)
            ][:1]
        return heads

    def predication(self, verb, tags) -> list:
        """The object of a verb of naming and what the verb predicates of it, as
        one content: "called [the plan a disaster]", "described [the talks as
        frank]", "accused [the mayor of lying]". The object is the content's head;
        the predicate joins it through ``_also``. Nothing when the verb has no
        such predicate: "called a meeting", "called for a ban"."""
        preps = {t.split(":", 1)[1] for t in tags if t.startswith("pred:")}
        if "pred" not in tags and not preps:
            return []
        obj = next((c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i), None)
        if obj is None:
            return []

        def is_pred(c):
            if c.dep_ in ("oprd", "dobj"):  # a second object: "labeled the plan a tax"
                return "pred" in tags
            if c.dep_ != "prep" or c.lower_ not in preps:
                return False
            return any(not g.is_punct for g in c.children)

        if any(is_pred(c) and c.dep_ == "prep" for c in obj.children):
            return [obj]  # the parser hung "of lying" on the object: one subtree
        pred = next((c for c in verb.children if c.i > obj.i and is_pred(c)), None)
        if pred is None:
            return []
        self._also[obj.i] = pred
        return [obj]

    def subject(self, verb):
        for c in verb.children:
            if c.dep_ in ("nsubj", "csubj"):
                if c.tag_ in ("WP", "WDT") and any(
                    o.dep_ == "nsubj" and o.tag_ not in ("WP", "WDT") for o in verb.children
                ):
                    continue  # "which he said were ...": "he" says it
                if c.tag_ in ("WP", "WDT") and verb.dep_ != "relcl":
                    return None  # "Who would have believed ...": a question, no speaker
                if c.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
                    # "officials who said ...": the noun the clause hangs on, or the
                    # name it stands beside ("McConnell, now the leader, who said")
                    return verb.head.head if verb.head.dep_ == "appos" else verb.head
                return c
            if c.dep_ == "nsubjpass":
                return None  # "it was reported that ...": nobody on record
        for c in verb.children:  # "was said by the ministry"
            if c.dep_ == "agent":
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        if verb.dep_ == "conj" or verb.dep_ == "advcl" and verb.tag_ == "VBG":
            # "argued that A and said B": the parser may hang "said" under A's
            # verb; the subject is the one of the nearest reporting verb above.
            anc = verb.head
            while anc is not None:
                if self.reporting_tags(anc) is not None and anc.i != verb.i:
                    return self.subject(anc)
                if anc.head.i == anc.i:
                    break
                anc = anc.head
            return self.subject(verb.head) if verb.head.i != verb.i else None
        if verb.dep_ == "acl":  # "a statement saying that ..."
            holder = verb.head
            if holder.dep_ == "dobj" and holder.head.i != holder.i:
                # "X released a statement saying ...": X speaks, through the statement
                return self.subject(holder.head) or holder
            return holder
        if verb.dep_ == "pcomp" and verb.head.head.i != verb.head.i:
            # "After saying ..., she was taken to hospital", "began by saying ..."
            main = verb.head.head
            return next((c for c in main.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if verb.dep_ == "xcomp" and verb.head.i != verb.i:  # "Video appears to show ..."
            return self.subject(verb.head) or next(
                (c for c in verb.head.children if c.dep_ == "nsubj"), None
            )
        return None

    def withheld(self, verb) -> bool:
        return _withheld(verb)

    def frame_for(self, verb):
        # Memoised: the walk asks about the same verb from several places.
        if verb.i not in self._frames:
            self._frames[verb.i] = self._make_frame(verb)
        return self._frames[verb.i]

    def _make_frame(self, verb):
        tags = self.reporting_tags(verb)
        if tags is None or _withheld(verb):
            return None
        if "evidence" in tags and any(c.dep_ == "aux" and c.tag_ == "MD" for c in verb.children):
            return None  # "The footage will show that": a prediction, not a document speaking
        contents = [c for c in self.contents(verb, tags) if not _indirect_question(c)]
        # A frame with no content of its own reports the clause it hangs on:
        # "..., where, they said, troops had ...", or after a quote the parser
        # did not give it: '"The footage will show that," she said.'
        parenthetical = (
            not contents
            and verb.head.i != verb.i
            and (
                (verb.dep_ == "parataxis" and "naming" not in tags)
                or ("naming" not in tags and self.after_quote(verb) is not None)
                or _as_clause(verb)  # "As many experts have pointed out, A"
            )
        )
        if not contents and not parenthetical:
            return None
        subj = self.subject(verb)
        if subj is None:
            return None
        frame = attribution.describe_source(subj, self.offset, exclude={c.i for c in contents})
        start = self.offset + verb.idx
        frame.set_verb(verb.text, verb.lemma_.lower(), start, start + len(verb), tags)
        frame.relayed = frame.relayed or any(
            c.dep_ in ("advcl", "xcomp") and c.lemma_.lower() == "cite" for c in verb.children
        )
        self.frames.append(frame)
        return frame, (verb.head if parenthetical else None), contents

    def according_frame(self, prep):
        to = next((c for c in prep.children if c.lower_ == "to"), None)
        obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if obj is None:
            return None
        frame = attribution.describe_source(obj, self.offset, exclude=set())
        end = self.offset + to.idx + len(to)
        frame.set_verb("according to", "according to", self.offset + prep.idx, end)
        self.frames.append(frame)
        return frame

    # --- clauses ------------------------------------------------------------
    def clause(self, head, frame: Frame | None, origin: str) -> None:
        """Make claims of the clause rooted at ``head``, reported by ``frame``."""
        found = self.frame_for(head)
        if found is not None and found[1] is None:
            self.reported(head, found[0], found[2], frame, origin)
            return
        for c in head.children:
            # "..., where, they said, government troops had stormed ...":
            # a parenthetical frame reports the clause it interrupts.
            if c.dep_ == "prep" and c.lower_ == "according":
                inner = self.according_frame(c)
                if inner is not None:
                    frame, origin = _nest(inner, frame), "reported"
            elif c.pos_ in ("VERB", "AUX"):
                inner = self.frame_for(c)
                if inner is not None and inner[1] is not None and inner[1].i == head.i:
                    frame, origin = _nest(inner[0], frame), "reported"
            elif c.dep_ in ("nsubj", "nsubjpass"):
                # "The difference now, he told me on Friday, is that ...": the
                # parser may hang the parenthetical frame on the clause's subject.
                for g in c.children:
                    inner = self.frame_for(g) if g.dep_ == "parataxis" else None
                    if inner is not None and inner[1] is not None and inner[1].i == c.i:
                        frame, origin = _nest(inner[0], frame), "reported"
        self.unit(head, frame, origin)

    def reported(self, verb, frame: Frame, contents, outer: Frame | None, outer_origin: str):
        """A reporting verb: its contents are claims of its source."""
        nested = _nest(frame, outer)
        for content in contents:
            if self.is_relay(content):
                nested.relayed = True
            self.clause(content, nested, "reported")
        for c in verb.children:
            if c in contents or c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                continue
            if c.dep_ in ("conj", "advcl") and self.is_gap_remark(c):
                continue  # "X said A, but offered no evidence": a hedge of A, not a claim
            if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
                if _has_mark_that(c) and self.frame_for(c) is None:
                    self.clause(c, nested, "reported")  # "said A and that B"
                elif self.frame_for(c) is not None or _is_clause(c):
                    # "denied A and said B" or "said A, but his stance sounded ..."
                    self.clause(c, outer, outer_origin)
            elif (
                c.dep_ in ("advcl", "parataxis")
                and c.pos_ in ("VERB", "AUX")
                and c.lemma_.lower() != "cite"
                and _after_comma(c)
            ):
                self.clause(c, outer, "comment" if outer is None else outer_origin)

    def after_quote(self, verb) -> int | None:
        """Index of the closing quote just before "she said" / "said Lopez", if any."""
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        first = min(verb.i, subj.left_edge.i) if subj is not None else verb.i
        for i in (first - 1, first - 2):
            if i >= 0 and self.doc[i].text in QUOTE_CHARS and self._closes(i):
                return i
        return None

    def _closes(self, i: int) -> bool:
        """Whether the quote mark at token i closes a quotation in this sentence."""
        tok = self.doc[i].text
        if tok in "\u201d":
            return True
        before = self.doc[:i].text
        return (
            before.count('"') % 2 == 1
            or self.text[self.offset - 1 : self.offset] == '"'
            or (self.doc[0].text not in QUOTE_CHARS and before.count('"') == 0)
        )

    def is_relay(self, content) -> bool:
        lemma = content.lemma_.lower()
        deps = {c.dep_ for c in content.children}
        if lemma in ("tell", "inform") and "nsubjpass" in deps and deps & {"ccomp", "agent"}:
            return True  # "relatives had been told by a detective that ..."
        if lemma not in RELAY_VERBS:
            return False
        return any(c.dep_ == "dobj" and c.lemma_.lower() in RELAY_OBJECTS for c in content.children)

    def unit(self, head, frame: Frame | None, origin: str) -> None:
        keep: set[int] = {self._lead[head.i]} if head.i in self._lead else set()
        stack = [head] if head.i not in self._also else [head, self._also[head.i]]
        cut_at = None
        while stack:
            tok = stack.pop()
            keep.add(tok.i)
            for c in tok.children:
                action = self.child_action(head, tok, c, frame, origin)
                if action == "keep":
                    stack.append(c)
                elif action == "cut":
                    # A restated quantity (", roughly twice the energy density of
                    # cells in today's cars") ends the claim: the rest is its own.
                    cut_at = c.left_edge.i if cut_at is None else min(cut_at, c.left_edge.i)
                    stack.append(c)
        if self._end_at is not None:
            keep = {i for i in keep if i < self._end_at}
            self._end_at = None
        if self._start_at is not None:
            keep = {i for i in keep if i > self._start_at}
            self._start_at = None
        if cut_at is not None:
            rest = {i for i in keep if i >= cut_at}
            keep -= rest
            self.add_unit(rest, head, frame, origin)
        if head.lemma_.lower() in RAISING_VERBS and any(
            c.dep_ == "xcomp" and self.frame_for(c) is not None for c in head.children
        ):
            return  # "A video ... appears to show ...": the frame's shell, no claim of its own
        self.add_unit(keep, head, frame, origin)

    def child_action(self, head, tok, c, frame, origin) -> str:
        dep = c.dep_
        if dep == "npadvmod" and tok.i == head.i and self.says_when(head, c):
            return "drop"
        if dep == "prep" and c.lower_ == "according":
            return "drop"  # its frame was taken by clause()
        if dep == "prep":
            # "After saying her foot was swollen, she ...": the frame and what it
            # reports leave the outer claim together with their preposition.
            for g in c.children:
                found = self.frame_for(g) if g.dep_ == "pcomp" else None
                if found is not None and found[1] is None:
                    self.reported(g, found[0], found[2], frame, origin)
                    return "drop"
        if dep in ("acl", "ccomp", "relcl") and _content_clause(c) and tok.pos_ == "NOUN":
            noun_frame = self.noun_frame(tok, c)
            if noun_frame is not None:  # "Trump's claim that there were ..."
                self.clause(c, _nest(noun_frame, frame), "reported")
                return "drop"
        if c.pos_ in ("VERB", "AUX") and _same(self.frame_for(c), tok):
            quote = self.after_quote(c)
            if quote is not None:  # keep the words before the closing quote
                self._end_at = quote if self._end_at is None else min(self._end_at, quote)
                return "keep"
            after = c.right_edge.i + 1
            if after < len(self.doc) and self.doc[after].text in QUOTE_CHARS + "``":
                # 'As for its bent, he said, "What outlet isn't taking sides?"':
                # the quotation after the frame is what he said, nothing before it
                self._start_at = after
            return "drop"
        if c.pos_ in ("VERB", "AUX") and dep not in ("aux", "auxpass"):
            found = self.frame_for(c)
            if found is not None and found[1] is None:
                self.reported(c, found[0], found[2], frame, origin)
                return "drop"
            if dep in ("conj", "advcl") and self.is_gap_remark(c):
                # "..., but the claim could not be verified", "though they did not
                # provide evidence": a remark on the claim, kept as its hedge.
                return "drop"
            if dep == "conj" and (_is_clause(c) or _has_mark_that(c)):
                # The conjunction goes with the second clause; trim keeps it
                # only inside a quotation.
                cc = [x.i for x in tok.children if x.dep_ == "cc" and x.i < c.left_edge.i]
                if cc:
                    self._lead[c.i] = cc[-1]
                self.clause(c, frame, origin)
                return "drop"
            if dep == "ccomp" and _has_mark_that(c) and (_after_comma(c) or _after_cc(c)):
                # "..., that he will stay in his post", "... and that a board was reviewing"
                self.clause(c, frame, origin)
                return "drop"
            if dep == "relcl" and self.has_own_frame(c):
                self.clause(c, frame, origin)
                return "drop"
            if dep == "relcl" and frame is not None and self.is_background(c):
                self.clause(c, None, "background")
                return "drop"
            if dep == "advcl" and c.tag_ == "VBG" and tok.i == head.i and _after_comma(c):
                if c.lemma_.lower() == "cite":
                    if frame is not None:
                        frame.relayed = True
                    return "drop"
                # "..., allowing people to see the progress": inside reported
                # speech the participle is the speaker's too
                self.clause(c, frame, "comment" if frame is None else origin)
                return "drop"
        if (
            tok.i == head.i
            and dep in ("dobj", "npadvmod", "appos", "attr")
            and _after_comma(c)
            and self.restates_quantity(c)
        ):
            return "cut"
        return "keep"

    def says_when(self, content, time) -> bool:
        """Whether ``time`` opens a reported clause and dates the saying, not what
        was said: "Officials said Tuesday the dam had held" (the parser hangs
        "Tuesday" on "held"). Only a weekday, yesterday, today or "last week":
        "said next year the plant would close" dates the content."""
        if content.dep_ != "ccomp" or time.left_edge.i != content.left_edge.i:
            return False
        verb = content.head
        if verb.i > time.i or self.reporting_tags(verb) is None:
            return False
        if not any(c.dep_ in CLAUSAL_SUBJECTS and c.i > time.i for c in content.children):
            return False  # "said last month was the wettest": the time is the subject
        words = [t.lower_ for t in time.subtree]
        return words[-1] in SAYING_DAYS and (len(words) == 1 or words[0] == "last")

    def noun_frame(self, noun, content) -> Frame | None:
        """The owner of a saying noun speaks its "that" clause: "his claim that",
        "a New York Times report that"; a report or finding with no owner speaks
        for itself, as a document."""
        tags = content_nouns().get(noun.lemma_.lower())
        if tags is None:
            return None
        owner = next((c for c in noun.children if c.dep_ == "poss"), None) or next(
            (c for c in noun.children if c.dep_ == "compound" and c.ent_type_), None
        )
        exclude = {t.i for t in content.subtree} | {noun.i}
        if owner is not None:
            frame = attribution.describe_source(owner, self.offset, exclude - {owner.i})
        elif noun.lemma_.lower() in source_nouns()["document"]:
            frame = attribution.describe_source(noun, self.offset, {t.i for t in content.subtree})
        else:
            return None
        start = self.offset + noun.idx
        frame.set_verb(noun.text, noun.lemma_.lower(), start, start + len(noun), tags)
        self.frames.append(frame)
        return frame

    def is_gap_remark(self, clause) -> bool:
        """A clause that only says the claim lacks evidence: it contains an
        evidential-gap cue and its subject, if any, points back (a pronoun, "the
        claim", "this account")."""
        if clause.pos_ not in ("VERB", "AUX") or not _has_evidential_gap(self.subtree_text(clause)):
            return False
        subj = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or subj.tag_ in ("PRP", "DT"):
            return True
        return any(d.dep_ in ("det", "poss") and d.lower_ in POINTING_BACK for d in subj.children)

    def has_own_frame(self, clause) -> bool:
        return any(c.dep_ == "parataxis" and self.frame_for(c) is not None for c in clause.children)

    def is_background(self, relcl) -> bool:
        """A present-perfect relative clause with a number inside reported
        speech is the writer's running context, not the speaker's words:
        "... in a civil war that has already killed tens of thousands"."""
        perfect = any(c.dep_ == "aux" and c.lower_ in ("has", "have") for c in relcl.children)
        if not perfect:
            return False
        return any(t.like_num or t.ent_type_ in ("CARDINAL", "QUANTITY") for t in relcl.subtree)

    def restates_quantity(self, tok) -> bool:
        first = list(tok.subtree)[:3]
        return any(t.lower_ in QUANTITY_HEADS or t.like_num for t in first)

    def subtree_text(self, tok) -> str:
        return self.doc[tok.left_edge.i : tok.right_edge.i + 1].text

    def add_unit(self, keep: set[int], head, frame, origin) -> None:
        if not keep:
            return  # everything was cut off before a closing quote or a restated quantity
        keep = without_stranded_punct(self.doc, keep)
        quoted = inside_quotes(self.text, self.offset, self.offset + self.doc[min(keep)].idx)
        span = trim(self.doc, sorted(keep), quoted)
        if span is None:
            return
        first, last = span
        start = self.offset + self.doc[first].idx
        end = self.offset + self.doc[last].idx + len(self.doc[last])
        start, end = balance_quotes(self.text, start, end)
        words = sum(1 for t in self.doc[first : last + 1] if not t.is_punct)
        if words < MIN_CLAIM_WORDS or end <= start:
            return
        aux = [c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")]
        self.units.append(Unit(start, end, frame, origin, False, head.lemma_, head.tag_, aux))


def _content_clause(clause) -> bool:
    """A "that" clause complete in itself ("a report that Trump had a loss"), not a
    relative clause missing a part ("a report that the Times published")."""
    that = next((c for c in clause.children if c.lower_ == "that"), None)
    if that is None or that.i != clause.left_edge.i:
        return False
    has_subject = any(
        c.dep_ in ("nsubj", "nsubjpass", "expl") and c.lower_ != "that" for c in clause.children
    )
    return has_subject and that.dep_ not in ("dobj", "pobj", "nsubj", "nsubjpass")


def _same(found, tok) -> bool:
    """Whether a parenthetical frame (from frame_for) hangs on ``tok``. Tokens are
    compared by index: spaCy makes a new Token object on every access."""
    return found is not None and found[1] is not None and found[1].i == tok.i


def _words(tok) -> int:
    return sum(1 for t in tok.subtree if not t.is_punct)


def _as_clause(verb) -> bool:
    return verb.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ == "as" for c in verb.children
    )


def _withheld(verb) -> bool:
    """A reporting verb that reports nothing: "did not say", "declined to say",
    "Neither could say who had ordered the doors locked"."""
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    if any(
        c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in NEGATIVE_SUBJECTS for c in verb.children
    ):
        return True
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in {"decline", "refuse"}


def _indirect_question(content) -> bool:
    """ "could not say who had ordered ...", "asked whether ...": a question, not
    an assertion. Decided by the content head's own marks and wh-words: in
    '"When I am president, we will build the wall," Trump said' the "When" opens
    an adverbial clause inside the content, and the content is an assertion."""
    if any(c.dep_ == "mark" and c.lower_ in {"whether", "if"} for c in content.children):
        return True
    first = content.left_edge
    if first.lower_ not in WH_WORDS:
        return False
    if (
        first.lower_ in RELATIVE_WORDS
        and content.head.dep_ in ("relcl", "advcl")
        and first.i < content.head.i
    ):
        # "applicants, which he said were evenly split": the relative pronoun
        # stands for the noun the clause hangs on, and the frame is inside it
        return False
    tok = first
    while tok.i != content.i:
        if tok.dep_ in ("advcl", "csubj", "mark") or tok.head.i == tok.i:
            return False  # a conditional, temporal or free-relative clause inside
        tok = tok.head
    return True


def _nest(inner: Frame, outer: Frame | None) -> Frame:
    """Nested speech: "Lavrov said Assad has repeatedly said ..." keeps Lavrov,
    the source on record, and notes whose words he reports."""
    if outer is None:
        return inner
    nested = Frame(**{k: getattr(outer, k) for k in outer.__dataclass_fields__})
    nested.modifiers = list(outer.modifiers)
    nested.via_start, nested.via_end = inner.source_start, inner.source_end
    nested.via_tag = inner.head_tag
    nested.inner_verb_start, nested.inner_verb_end = inner.verb_start, inner.verb_end
    nested.inner_verb_tags = list(inner.verb_tags)
    return nested
