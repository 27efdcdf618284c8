"""Paragraphs and sentences of an article body, with exact offsets.

A rule-based splitter rather than the parser's guesses: news copy is full of
periods that end no sentence ("Sergei V. Lavrov", "the U.N. and Arab League
envoy", "Dr. Sofia Marchetti", "Jan. 5") and of quotations that run across
sentences, and the offsets must stay exact for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .lexicon import abbreviations
from .types import Frame, Span

# Longest sentence handed to the parser. Real sentences are far shorter; a
# run-on of pasted junk (a table, a log) is cut at spaces so that parsing time
# and memory stay linear in the input.
MAX_SENTENCE_CHARS = 1500

OPEN_QUOTES = "\u201c\u2018"
CLOSE_QUOTES = "\u201d\u2019"
DOUBLE_QUOTES = '"\u201c\u201d'

# A candidate boundary: terminal punctuation, any closing quotes or brackets,
# then whitespace. What follows decides whether it is one.
_BOUNDARY = re.compile(r"(?:[.!?]+|\u2026)[\"'\u201d\u2019)\]]*(?=\s)")
# A line that opens with a quotation mark and a capital: a new quotation.
_LINE_OPENS_QUOTE = re.compile(r"\n[ \t]*(?=[\"\u201c\u201d]\s?[A-Z])")
# A list item's marker at the start of a line: "• ", "- ", "* ", "1. ", "2) ".
# Markdown ingest writes every list item as "• ..." (claims.ingest.markdown_to_text).
BULLET_CHARS = "\u2022\u00b7\u25aa\u25e6\u2023\u25cf\u25a0\u25ba"
_LIST_MARKER = re.compile(
    rf"[ \t]*(?:(?P<bullet>[{BULLET_CHARS}])[ \t]*|(?:[-*+]|\d{{1,3}}[.)])[ \t]+)"
)
# The end of a line after which a "- " or "1. " line starts an item, not a wrapped
# line that opens with a dash ("the bridge\n- which opened in 1990 - was shut").
_ENDS_ITEM = re.compile(r"(?:[.!?:;\"')\]\u201d\u2019]|\u2026)[ \t]*$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v\r\u00a0]*\n\s*")
_WORD_BEFORE = re.compile(r"([\w.'\u2019-]+)$")
# Words that open a sentence after an ambiguous period ("in the U.S. The
# company said"); a capitalised name after "U.S." continues the sentence.
_SENTENCE_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "its",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
        "but",
        "and",
        "or",
        "so",
        "yet",
        "in",
        "on",
        "at",
        "for",
        "with",
        "after",
        "before",
        "when",
        "while",
        "as",
        "if",
        "although",
        "there",
        "here",
        "what",
        "who",
        "why",
        "how",
        "some",
        "many",
        "most",
        "no",
        "one",
        "two",
        "three",
    ]
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    index: int = 0
    # Whether the sentence begins inside a quotation opened in an earlier
    # sentence, and whether a quotation is still open at its end.
    starts_in_quote: bool = False
    ends_in_quote: bool = False
    # (start, end, label) of the named entities and numbers the parser found.
    entities: list[tuple[int, int, str]] = field(default_factory=list)
    # The frame that attributes a quotation in this sentence ('..., " she said.'),
    # or that introduces one ('He said:'), for the quoted sentences around it.
    speaker: Frame | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def paragraphs(text: str, start: int, end: int) -> list[Span]:
    """Blank-line separated paragraphs of text[start:end]; with no blank lines
    at all, each line is a paragraph (some pastes lose the blank lines)."""
    region = text[start:end]
    breaks = list(_PARAGRAPH_BREAK.finditer(region))
    if not breaks:
        breaks = list(re.finditer(r"\n\s*", region))
    spans, pos = [], 0
    for m in breaks:
        spans.append(Span(start + pos, start + m.start()))
        pos = m.end()
    spans.append(Span(start + pos, end))
    return [s for s in (_strip(text, s) for s in spans) if s.end > s.start]


def _strip(text: str, span: Span) -> Span:
    s, e = span.start, span.end
    while s < e and (text[s].isspace() or _CONTROL.match(text[s])):
        s += 1
    while e > s and (text[e - 1].isspace() or _CONTROL.match(text[e - 1])):
        e -= 1
    return Span(s, e)


def _is_boundary(text: str, dot: int, after: int, limit: int) -> bool:
    """Does the punctuation ending at ``dot`` (its first char) end a sentence?

    ``after`` is the index of the first non-space character after it.
    """
    if after >= limit:
        return True
    nxt = text[after]
    if not (nxt.isupper() or nxt.isdigit() or nxt in DOUBLE_QUOTES + OPEN_QUOTES + "'(["):
        return False
    if text[dot] != ".":
        return True  # "!" and "?" followed by a capital
    m = _WORD_BEFORE.search(text, max(0, dot - 60), dot)  # a window: never rescan the text
    word = m.group(1) if m else ""
    bare = word.rstrip(".").lower()
    next_word = re.match(r"[\"'\u201c\u2018(\[]*([\w'-]+)", text[after : after + 40])
    starter = bool(next_word) and next_word.group(1).lower() in _SENTENCE_STARTERS
    if len(word) == 1 and word.isupper():
        return False  # an initial: "Sergei V. Lavrov"
    if "." in word.strip("."):
        return starter  # a dotted acronym: "U.N.", "a.m.", "U.S."
    if bare in abbreviations():
        if bare in {"inc", "corp", "co", "ltd", "bros", "jr", "sr", "etc"}:
            return starter  # these end sentences often: "... by Acme Inc. The company"
        return False
    return True


def split_sentences(text: str, para: Span, paragraph_index: int) -> list[Sentence]:
    sentences, pos = [], para.start
    marker = _LIST_MARKER.match(text, para.start, para.end)
    if marker and marker.end() < para.end:  # a paragraph that is one list item
        pos = marker.end()
    for end, after in _boundaries(text, para):
        if end > pos:
            sentences.append(Sentence(pos, end, paragraph_index))
        pos = max(pos, after)
    if pos < para.end:
        sentences.append(Sentence(pos, para.end, paragraph_index))
    out = []
    for s in sentences:
        span = _strip(text, Span(s.start, s.end))
        if span.end > span.start:
            out.extend(_cut_long(text, Sentence(span.start, span.end, paragraph_index)))
    return out


def _boundaries(text: str, para: Span):
    """(end, start of the next) of each sentence break in the paragraph: after
    terminal punctuation that ends a sentence, and at a line break before an
    opening quotation ('... shame." \u2015 Sonya Herridge' / '"During the
    debate ...'): quotes listed one per line, with no full stop after the name."""
    found = []
    for m in _BOUNDARY.finditer(text, para.start, para.end):
        after = m.end()
        while after < para.end and text[after].isspace():
            after += 1
        if _is_boundary(text, m.start(), after, para.end):
            found.append((m.end(), after))
    for m in _LINE_OPENS_QUOTE.finditer(text, para.start, para.end):
        found.append((m.start(), m.end()))
    found.extend(_list_items(text, para))
    found.sort()
    return found


def _list_items(text: str, para: Span):
    """(end, start of the item's words) at each list item that opens a line of the
    paragraph: each item is a sentence of its own, its marker in neither. Items
    need no full stop ("• Officials said the budget may double\n• Police said ...")."""
    line_start = text.find("\n", para.start, para.end)
    while line_start != -1:
        line_start += 1
        m = _LIST_MARKER.match(text, line_start, para.end)
        if m and m.end() < para.end and (m["bullet"] or _after_item_end(text, line_start)):
            yield line_start - 1, m.end()
        line_start = text.find("\n", line_start, para.end)


def _after_item_end(text: str, line_start: int) -> bool:
    prev = text.rfind("\n", 0, line_start - 1) + 1
    line = text[prev : line_start - 1]
    return bool(_ENDS_ITEM.search(line) or _LIST_MARKER.match(line))


def _cut_long(text: str, sent: Sentence) -> list[Sentence]:
    if sent.end - sent.start <= MAX_SENTENCE_CHARS:
        return [sent]
    pieces, pos = [], sent.start
    while sent.end - pos > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", pos + MAX_SENTENCE_CHARS // 2, pos + MAX_SENTENCE_CHARS)
        cut = cut if cut > pos else pos + MAX_SENTENCE_CHARS
        pieces.append(Sentence(pos, cut, sent.paragraph))
        pos = cut
        while pos < sent.end and text[pos].isspace():
            pos += 1
    if pos < sent.end:
        pieces.append(Sentence(pos, sent.end, sent.paragraph))
    return pieces


# Typewriter quotes of wire archives and LaTeX-style copy: ''like this'' or ``this''.
_DOUBLED_QUOTES = re.compile(r"''|``")
# Quotation marks of other typographies, and the blank lines that end a quotation
# left open: guillemets (French «comme ça», German »so«, Swedish »så») and low-9
# openers (German „so“, Polish „tak”).
_FOREIGN_QUOTES = re.compile(r"[\u00ab\u00bb\u2039\u203a\u201e\u201a\u201c\u201d\u2018]|\n\s*\n")
_GUILLEMETS = {"\u00ab": "\u201c", "\u00bb": "\u201c", "\u2039": "\u2018", "\u203a": "\u2018"}
# A low-9 mark opens; what closes it: “ or ” after „, ‘ after ‚
# (not ’, which is also the apostrophe of "Braun’s").
_LOW_OPENERS = {
    "\u201e": ("\u201c", "\u201c\u201d", "\u201d"),
    "\u201a": ("\u2018", "\u2018", "\u2019"),
}
_FOREIGN_CHARS = "\u00ab\u00bb\u2039\u203a\u201e\u201a"


def plain_quotes(text: str) -> str:
    """The text with every quotation mark as one the splitter and the parser know
    (“ ” ‘ ’ and the straight double quote), one character for one, so that every
    offset holds in both: doubled apostrophes and backticks become a double quote
    and a space; guillemets and low-9 marks become curly quotes that open and close
    as they do in their own typography."""
    chars = list(_DOUBLED_QUOTES.sub('" ', text))
    if not any(ch in text for ch in _FOREIGN_CHARS):
        return "".join(chars)
    guillemets: dict[str, list[int]] = {"\u201c": [], "\u2018": []}
    closing: dict[str, str] = {}  # the closers an open low-9 mark waits for -> its closer
    for m in _FOREIGN_QUOTES.finditer(text):
        ch, i = m.group(), m.start()
        if ch in _GUILLEMETS:
            guillemets[_GUILLEMETS[ch]].append(i)
        elif ch in _LOW_OPENERS:
            chars[i], waits_for, closer = _LOW_OPENERS[ch]
            closing[waits_for] = closer
        elif ch.startswith("\n"):  # a quotation never runs past its paragraph here
            _pair_guillemets(chars, guillemets)
            closing.clear()
        else:
            waits_for = next((k for k in closing if ch in k), None)
            if waits_for is not None:
                chars[i] = closing.pop(waits_for)
    _pair_guillemets(chars, guillemets)
    return "".join(chars)


def _pair_guillemets(chars: list[str], found: dict[str, list[int]]) -> None:
    """Guillemets of one paragraph, in pairs: the first of each pair opens, whichever
    way it points («this», »this«, »this»); an odd one out (a "More »" link) is
    left alone."""
    for opener, positions in found.items():
        closer = "\u201d" if opener == "\u201c" else "\u2019"
        for n in range(0, len(positions) - 1, 2):
            chars[positions[n]], chars[positions[n + 1]] = opener, closer
        positions.clear()


# The no-break space and the spaces of other widths (web copy has them after "Sen.",
# around dashes, before a quotation): the parser, which learnt plain spaces, takes
# each for a word of its own, and hangs the sentence on it ("Saldana\u00a0expressed").
_SPACES = str.maketrans(
    dict.fromkeys(
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000",
        " ",
    )
)


# The invisible characters that web copy leaves between words and sentences (a
# zero-width space, a word joiner, a byte-order mark): the parser takes a run of
# them for a word, and "repaired.\u200b\u200b Officials" lost its claim. Between
# two letters or digits they stay (a break hint inside a word, or PAD).
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]+")


def plain_spaces(text: str) -> str:
    """The text with every space character a plain space, one for one, and each
    run of invisible characters that is not inside a word as many spaces."""
    text = text.translate(_SPACES)
    if text.isascii():
        return text
    return _INVISIBLE.sub(_blank_gap, text)


def _blank_gap(m: re.Match[str]) -> str:
    text, start, end = m.string, m.start(), m.end()
    if start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum():
        return m.group()
    return " " * (end - start)


# Dashes the parser does not know, as the em dash it does: the horizontal bar
# (U+2015), which some sites print for a dash ("... made public \u2015 Trump
# boasted"), is read as a noun, and the clause around it falls apart.
_DASHES = str.maketrans({"\u2015": "\u2014"})


def plain_dashes(text: str) -> str:
    """The text with every dash the parser does not know an em dash, one for one."""
    return text.translate(_DASHES)


# A letter followed by combining marks: decomposed text (NFD, as macOS writes file
# names and some editors save text), "Zoe\u0308 Bronte\u0308" for "Zoë Brontë".
_DECOMPOSED = re.compile(
    r"[^\W\d_][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
# What stands in for the marks that composing a letter saves: a zero-width space
# keeps the word one token and the offsets unmoved, and the parser reads "Zoë"
# as the name it is (it finds no person in "Zoe\u0308 Bronte\u0308"), since the
# pipeline reads each word's features without it (nlp._read_past_pad).
PAD = "\u200b"


def composed(text: str) -> str:
    """The text with each decomposed letter composed (NFC) and padded to its length
    with PAD, so that every offset holds in both and the parser sees the letters
    it was trained on."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return _DECOMPOSED.sub(_compose, text)


def _compose(m: re.Match[str]) -> str:
    letters = unicodedata.normalize("NFC", m.group())
    if len(letters) > len(m.group()):
        # A few letters compose longer than they came ("q\u0344": NFC splits the
        # mark in two); padding cannot make that up, so they stay as given.
        return m.group()
    return letters + PAD * (len(m.group()) - len(letters))


def after_closed_quote(text: str, sent: Sentence, pos: int) -> bool:
    """Whether ``pos`` follows a quotation that has closed (not a frame inside it:
    '"... you are scapegoating them," Merkley said' is Merkley's, not "you")."""
    inside, seen = _quote_state(text, sent, pos)
    return seen and not inside


def inside_quotation(text: str, sent: Sentence, pos: int) -> bool:
    """Whether ``pos`` lies inside an open quotation, one opened in this sentence or
    carried over from the sentences before it in the paragraph."""
    return _quote_state(text, sent, pos)[0]


def _quote_state(text: str, sent: Sentence, pos: int) -> tuple[bool, bool]:
    """(inside a quotation at ``pos``, a quotation mark seen since the sentence began)."""
    inside, seen = sent.starts_in_quote, sent.starts_in_quote
    for ch in text[sent.start : pos]:
        if ch == '"':
            inside, seen = not inside, True
        elif ch == "\u201c":
            inside, seen = True, True
        elif ch == "\u201d":
            inside, seen = False, True
    return inside, seen


def _mark_quotes(text: str, sentences: list[Sentence]) -> None:
    """Track open quotations across the sentences of each paragraph.

    Straight double quotes toggle; curly ones open and close. A quotation never
    runs past its paragraph, except that news style opens the next paragraph
    with a fresh quote mark, which the toggling handles.
    """
    open_quote, paragraph = False, None
    for sent in sentences:
        if sent.paragraph != paragraph:
            open_quote, paragraph = False, sent.paragraph
        sent.starts_in_quote = open_quote
        for ch in text[sent.start : sent.end]:
            if ch == '"':
                open_quote = not open_quote
            elif ch == "\u201c":
                open_quote = True
            elif ch == "\u201d":
                open_quote = False
        sent.ends_in_quote = open_quote


def segment(text: str, start: int, end: int, skip: list[Span] | None = None) -> list[Sentence]:
    """Sentences of text[start:end], leaving out the ``skip`` spans (footers)."""
    regions, pos = [], start
    for span in sorted(skip or [], key=lambda s: s.start):
        if span.end <= pos or span.start >= end:
            continue
        if span.start > pos:
            regions.append(Span(pos, span.start))
        pos = max(pos, span.end)
    if pos < end:
        regions.append(Span(pos, end))
    sentences: list[Sentence] = []
    para_index = 0
    for region in regions:
        for para in paragraphs(text, region.start, region.end):
            sentences.extend(split_sentences(text, para, para_index))
            para_index += 1
    for i, sent in enumerate(sentences):
        sent.index = i
    _mark_quotes(text, sentences)
    return sentences
