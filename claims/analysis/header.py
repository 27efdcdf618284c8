"""Article header: title, byline, publication, date, dateline and footer lines.

Pasted articles open with a small header block before the body and often end with
copyright or newsletter lines; ``parse_header`` finds both so that later steps look
for claims in the body only. Standard library only: no Django, no spaCy.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from claims.analysis.inputs import BLANK
from claims.analysis.segment import BULLET_CHARS
from claims.analysis.types import ArticleMeta, Span

# Only the top of a text can hold the header; bounding the scan keeps a 2 MB paste
# as cheap as a short one.
_HEAD_CHARS = 8192
_HEAD_LINES = 40
_MAX_HEADER_LINES = 10

_WS = BLANK  # a BOM or zero-width space pasted before the title
_CONTENT_RE = re.compile(rf"[^{_WS}](?:.*[^{_WS}])?", re.S)
_NON_WS_RE = re.compile(rf"[^{_WS}]")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MON_ALT = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MON = rf"(?P<mon>{_MON_ALT})\.?"
_DATE_RES = (
    re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+(?P<y>\d{{4}})\b", re.I
    ),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])"),
)
# What may join a date to its time: "December 29, 2012 - 7:19 PM", "Dec 29, 2012 at 7:19 PM".
_TIME_RE = re.compile(
    r"\s*(?:,|-|–|—|\bat\b|@|T|\|)?\s*(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?(?::(?P<s>\d{2}))?"
    r"(?:\.\d+)?\s*(?P<ap>[ap]\.?\s?m\b\.?)?",
    re.I,
)
# Only UTC and numeric offsets are used; "EST" or "CST" are ambiguous and just skipped.
_TZ_RE = re.compile(
    r"\s*\(?(?:(?P<z>Z|UTC|GMT)(?P<zoff>[+-]\d{1,2}(?::?\d{2})?)?"
    r"|(?P<off>[+-]\d{2}:?\d{2})|[A-Z]{2,5}\b)\)?"
)

# "  • Article by: ELLEN BARRY": wire layouts put header facts in a bulleted list.
_BULLET_RE = re.compile(rf"^(?:[{BULLET_CHARS}]\s*|[-*–—]\s+)")
# "By Jane Doe | The Courier | Oct. 3, 2023" holds several facts on one line.
_SEP_RE = re.compile(r"\s*[|•·]\s*|\s+(?:[-–—]|--)\s+")
# Words around a date that carry no fact, and a time before the date
# ("Published 7:19 PM EST, Sat December 29, 2012").
_FILLER_RE = re.compile(
    r"(?:(?:last|first|updated|published|posted|modified|dated?|on|at|mon|tues?|wed|thu(?:rs?)?"
    r"|fri|sat|sun|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b\.?|\d{1,2}(?::\d{2}){1,2}"
    r"|\d{1,2}(?::\d{2})?\s*[ap]\.?\s?m\b\.?|[0-2]\d[0-5]\d(?=\s*(?-i:GMT|UTC|Z)\b)"
    r"|(?-i:[ECMPA][SD]?T|UTC|GMT|BST|CET|Z)\b|[\s,.:])+",
    re.I,
)
_UPDATED_RE = re.compile(r"\b(?:updated|modified|revised)\b", re.I)
_BY_RE = re.compile(
    r"(?:(?:article|written|words|story|text|reporting|reported)\s+by|by(?:line)?|authors?)"
    r"(?:\s*:\s*|\s+)(?P<who>\S.*)",
    re.I,
)
_SOURCE_LABEL_RE = re.compile(r"(?:source|publication|publisher|via)\s*:\s*(?P<v>\S.*)", re.I)
_ROLE_RE = re.compile(
    r"(?:(?:senior|staff|special|chief|contributing|national|foreign|political)\s+)*"
    r"(?:staff|writer|reporter|correspondent|editor|contributor|columnist)s?",
    re.I,
)
# "Associated Press Writer" -> "Associated Press"; "Special to The Courier" -> "The Courier".
_ROLE_TAIL_RE = re.compile(r"\s+(?:staff\s+)?(?:writer|reporter|correspondent|editor)s?$", re.I)
_SPECIAL_TO_RE = re.compile(r"(?:special\s+)?(?:to|for)\s+", re.I)
# "By JANE DOE, Associated Press", "By Jane Doe for The Guardian": the name ends here.
_AFFIL_SPLIT_RE = re.compile(r"\s*,\s*|\s+(?:for|of)\s+(?=(?:the\s+)?[A-Z])")
_AGENCY_RE = re.compile(
    r"(?:the\s+)?(?:associated press|reuters|ap|afp|agence france-presse|bloomberg(?: news)?"
    r"|upi|dpa|efe|xinhua|press association|pa media|ansa|kyodo(?: news)?|tass|interfax)",
    re.I,
)
_ORG_WORD_RE = re.compile(
    r"\b(?:press|times|news|post|journal|herald|tribune|courier|gazette|guardian|telegraph"
    r"|chronicle|observer|independent|standard|star|mail|express|review|reuters|bloomberg"
    r"|agency|agence|service|wire|daily|weekly|magazine|radio|television|tv|network|media"
    r"|bureau|dispatch|register|sentinel|inquirer|examiner|bulletin|monitor|globe|mirror)\b",
    re.I,
)
_CONNECTORS = {"and", "&", "de", "van", "von", "der", "den", "da", "del", "della", "di", "du"}
_CONNECTORS |= {"la", "le", "bin", "ibn", "al", "el", "y", "ter", "ten", "dos", "das"}
_NAME_TOK_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-])*")
_ROMAN_RE = re.compile(r"(?:II|III|IV|VI{0,3})\.?")
# "MACDONALD" -> "MacDonald" but "MACHADO" -> "Machado": Mac only before known stems.
_MAC_STEMS = ("donald", "dougall", "arthur", "kenzie", "kinnon", "leod", "lean", "laren")
_MAC_STEMS += ("millan", "intyre", "neil", "gregor", "farlane", "ewan", "pherson", "allister")
_SMALL_WORDS = {"a", "an", "the", "of", "and", "&", "for", "in", "on", "at", "to", "de", "la"}
# What a lede has and a headline lacks: a past reporting verb, a day ("on Friday"),
# a past tense; and (below) the articles, pronouns and contractions that headline
# style drops ("The minister", "It is", "isn't").
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_SIMPLE_PAST = (
    "(?:rose|fell|took|gave|went|came|saw|began|grew|knew|ran|wrote|became|chose|drew"
    "|drove|flew|froze|rode|rang|sang|sank|shook|spoke|stole|swore|threw|woke|wore"
    "|broke|ate|did)"
)
_COUNTS = (
    "(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|thousands"
    "|millions|several|some|more|all|both)"
)
_LEDE_RE = re.compile(
    rf"\b(?:said|told|according to|yesterday|was|were|had|would"
    rf"|(?:on|last|this|next|early|late)\s+(?:{_DAYS}|week|month|year|night|morning|evening)"
    rf"|{_DAYS}\s+(?:night|morning|evening)|on\s+(?:{_MON_ALT})\.?\s+\d"
    rf"|(?:on|in)\s+\d{{1,2}}\s+(?:{_MON_ALT})|in\s+(?:{_MON_ALT})\b"
    # A simple past that no participle shares ("Inflation rose"), and an -ed verb
    # with a counted object ("Police arrested three men"): a lede's verbs. A
    # headline's are present or passive ("Three men arrested in Leeds").
    rf"|{_SIMPLE_PAST}|[a-z]+ed\s+(?:\d|{_COUNTS})\b)\b",
    re.I,
)
_SENTENCE_WORD_RE = re.compile(
    r"\b(?:the|a|an|it|its|he|she|they|their|we|our|i|my|you|your|there)\b(?![.:-])"
    r"|\b\w+n[’']t\b",
    re.I,
)
_LABEL_RE = re.compile(r"[^\s:]+(?:\s[^\s:]+){0,3}:\s")  # "The Latest: ", "Poll: "
_MAX_STOPPED_WORDS = 14
_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*")
_ABBREV_END_RE = re.compile(
    r"(?:\b[A-Za-z]\.){2,}$|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|Dr|Mr|Mrs|Ms|No)\.$"
)

_SP = r"[^\S\r\n]"
_CAPWORD = r"[^\W\d_](?:[^\W\d_]|['’.]|-(?=[^\W\d_]))*"
# "MOSCOW - ", "ARDANI, Valoria — ", "WASHINGTON (AP) — ", "LONDON, Jan 5 (Reuters) - ".
_DATELINE_RE = re.compile(
    rf"(?P<place>{_CAPWORD}(?:{_SP}{_CAPWORD}){{0,4}}"
    rf"(?:,{_SP}+{_CAPWORD}(?:{_SP}{_CAPWORD}){{0,2}})?)"
    rf"(?:,?{_SP}+(?i:{_MON_ALT})\.?{_SP}+\d{{1,2}}(?:,{_SP}+\d{{4}})?)?"
    rf"(?:{_SP}*\([^()\r\n]{{1,40}}\))?"
    rf"(?:{_SP}+[-–—]{_SP}*|{_SP}*(?:--|[–—]){_SP}*)"
    r"(?=[\"“‘'(]?[^\W_])"
)
# Footer lines, anchored to line starts so the whole text is scanned in linear time:
# "© 2018 Star Tribune", "Copyright 2023 The Associated Press. All rights reserved.",
# "Follow us on Twitter", "Sign up for our newsletter", "Editing by Mark Heinrich".
_BOILER_RE = re.compile(
    r"(?:^|(?<=\r))[^\S\r\n]*+(?=\S)"  # possessive: 2 MB of spaces must not backtrack
    r"(?P<line>(?:©|\(c\)\s*\d{4}|copyright\b(?=[^\r\n]{0,20}?(?:\d{4}|©|\(c\)))"
    r"|[^\r\n]{0,120}?\ball rights reserved"
    r"|this (?:story|article|report|post) (?:has been|was) (?:corrected|updated|amended|edited)"
    r"|corrections?:|follow\b[^\r\n.]{0,60}?\bon (?:twitter|x|facebook|instagram|threads|bluesky"
    r"|linkedin|tiktok)\b|sign up (?:for|to)\b[^\r\n]{0,80}?\bnewsletter|subscribe (?:to|for|now)\b"
    r"|(?:additional )?(?:reporting|writing|editing) by\b[^\r\n]*(?:;|editing by)|editing by\b"
    r"|[^\r\n]{0,80}?\bcontributed (?:to this|reporting)|(?:read more|related|see also)\s*:"
    r"|advertisement[^\S\r\n]*(?=[\r\n]|\Z)|click here\b|share this (?:article|story)"
    r"|listen to this article|\d+ min(?:ute)?s? read\b)[^\r\n]*)",
    re.I | re.M,
)
_MAX_BOILER_LEN = 400  # a longer paragraph that starts "Copyright 2020 ..." is content
# A date as pages print it: "Thursday, April 21, 2022", "21 April 2022", "Nov. 3, 2021",
# "2022-04-21", "21.04.2022", "November 2015". The words are a weekday's and a
# month's (English, or German as pages print them): not any two words and a number,
# which "Deaths reach 1500" is, a line of news.
_PAGE_MONTH = rf"(?:{_MON_ALT}|januar|februar|m\u00e4rz|mai|juni|juli|oktober|dezember)"
_DAY_DATE = (
    r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:[a-z]*day)?\.?,?\s+"
    r"|(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag),?\s+)?"
    rf"(?:{_PAGE_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\.?\s+{_PAGE_MONTH}\.?,?\s+\d{{4}}|{_PAGE_MONTH}\s+\d{{4}}|\d{{4}}-\d\d-\d\d"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
)
# ... and its time: "/ 13:48", "at 10:11 pm EST", ". 10:11 pm CST" (a full stop between).
_PAGE_TIME = r"\s*(?:[/|,@.-]|at)?\s*\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?"
_PAGE_DATE = rf"{_DAY_DATE}(?:{_PAGE_TIME})?"
# Lines of a web page's furniture that extraction leaves among the paragraphs, each a
# line of its own: a byline ("By Nada Tawfik, BBC News, New York", "Posted by Alex
# Durán, AMP Project Marketing"), a photo credit ("Image credit: www.apple.com",
# "Photo: Jonathan Nackstrand/AFP"), a date stamp ("Posted: Thursday, April 21,
# 2022", "November 2015 / 13:48"). Only a whole short line that does not end as a
# sentence does: "By Monday, the council had voted." is a paragraph. What follows a
# byline's name is where the writer works or what they do ("BBC News, New York",
# "staff writer"), with no figures: "By Election Day, turnout had reached 60
# percent" is news (a date may follow the name instead). A date stamp with a label
# or a time may end with a full stop: "Posted: Thursday, April 21, 2022. 10:11 pm
# CST.", "April 21, 2022. 10:11 pm.".
_FURNITURE_RE = re.compile(
    r"^[^\S\r\n]*+(?P<line>(?:"
    r"(?:posted|written|words)\s+by\s[^\r\n]{1,80}"
    r"|by\s+(?-i:[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|de|van|von|da|al|bin)){1,4})"
    r"(?:\s*[,|/]\s*(?:(?:(?-i:[A-Z])|staff\b|senior\b|chief\b|special\b|contributing\b)"
    r"[^\r\n\d]{0,59}|" + _PAGE_DATE + r"))?"  # or the date: "By Jane Doe | October 3, 2023"
    r"|(?:photo|image|picture|photograph|video|graphic)s?(?:\s+(?:credit|courtesy|by|source))?"
    r"\s*:[^\r\n]{1,80}"
    r"|" + _PAGE_DATE + r")(?<![.!?\"\u201d])"
    r"|(?:(?:(?:first\s+)?posted|published|updated|last\s+updated)(?:\s+on)?\s*:?\s+"
    + _PAGE_DATE
    + r"|"
    + _DAY_DATE
    + _PAGE_TIME
    + r")\.?)[^\S\r\n]*$",
    re.I | re.M,
)

# A photo's credit that extraction glues to the end of a paragraph, after its last
# sentence: "... the briefings. Photo: Jonathan Nackstrand/AFP", "Photograph: Jane
# Roe/Reuters", "Image credit: www.apple.com", "Featured image by Alberto Riva/The
# Points Guy.", "(Getty Images)", "(AP Photo/Evan Vucci)". It runs to the end of its
# line (the next paragraph may follow on the line below) and holds no sentence: a
# credit cue, then a few words with no full stop but in a name, a URL or at the end.
_CREDIT_CUE = (
    rf"(?:(?:featured|main|top|header|lead|cover){_SP}+)?"
    r"(?:photo(?:graph)?|image|picture|pic|video|graphic|illustration)s?"
)
_CREDIT_BY = rf"(?:by|courtesy(?:{_SP}+of)?)"
_CREDIT_RE = re.compile(
    rf"(?:^|(?<=[.!?\"\u201d\u2019)]){_SP}){_SP}*+(?P<cue>"
    rf"{_CREDIT_CUE}(?:{_SP}+(?:credits?|source|{_CREDIT_BY}))?{_SP}*:"
    rf"|{_CREDIT_CUE}{_SP}+{_CREDIT_BY}{_SP}+(?=(?-i:[A-Z]))"
    rf"|\((?:{_CREDIT_CUE}(?:{_SP}*:|{_SP}+(?:credits?|source|{_CREDIT_BY}){_SP}*:?){_SP}*"
    r"[^()\r\n]{1,60}|[^()\r\n]{0,40}\bgetty images[^()\r\n]{0,40}"
    r"|ap photo\b[^()\r\n]{0,40}|[^()\r\n]{0,40}/ ?(?:afp|reuters|ap|epa|shutterstock))\))",
    re.I | re.M,
)
# What follows the cue to the line's end: a few words with no full stop but in an
# initial ("J. Smith") or a domain ("www.apple.com"), and perhaps a final one.
_CREDIT_WORDS_RE = re.compile(r"(?:[^.!?()]|(?<=\b(?-i:[A-Z]))\.|\.(?=[^\s.]))+\.?")
_LINE_END_RE = re.compile(r"[\r\n]")
_MAX_CREDIT_CHARS = 120
_MAX_CREDIT_WORDS = 10
# A credit names people, agencies and sites: "Jonathan Nackstrand/AFP", "Markus
# Spiske from Pexels", "Tetbir Salim via Unsplash", "www.apple.com/in/"; a word in
# lower case outside these ("Photos by Reuters showed long queues") is a sentence.
_CREDIT_SMALL = {"via", "from", "for", "of", "and", "the", "courtesy", "by", "on", "at", "to"}
_CREDIT_SMALL |= _CONNECTORS
_DOMAIN_RE = re.compile(r"\w\.\w")


class _Line(NamedTuple):
    start: int  # offset of the first non-blank character
    end: int
    text: str  # "" for a blank line


def parse_header(text: str) -> ArticleMeta:
    """Title, byline, publication, date, dateline, body start and footer spans."""
    try:
        return _parse(text)
    except Exception:  # metadata is a nicety: a parser bug must not sink the analysis
        return ArticleMeta()


def _parse(text: str) -> ArticleMeta:
    meta = ArticleMeta(boilerplate=_boilerplate(text))
    lines = _head_lines(text)
    first = next((n for n, ln in enumerate(lines) if ln.text), None)
    if first is None:
        meta.body_start = _first_content(text, 0)
        return meta
    k = first
    if _is_title(text, lines, first):
        meta.title, k = lines[first].text, first + 1
    facts: dict[str, str] = {}
    hdr_start, body, bullets, n_hdr, after_blank = None, None, False, 0, False
    decked = False
    while k < len(lines) and body is None:
        ln, k = lines[k], k + 1
        if not ln.text or _BOILER_RE.match(ln.text):
            after_blank = not ln.text
            continue
        f = _classify(ln.text) if n_hdr < _MAX_HEADER_LINES else None
        if f is not None and set(f) == {"publication"} and "publication" in facts:
            # A second publication-like line is a short body paragraph, unless it
            # sits in the same block: "By JANE DOE, Associated Press" then the
            # outlet's name "The Riverside Gazette" on the next line.
            f = None if after_blank else {}
        after_blank = False
        glued = _glued_byline(ln.text) if f is None and "author" not in facts else None
        if glued is not None:
            # "By Lena Ortiz, Staff Writer The county has cleared ...": extraction
            # ran the byline into the first paragraph; the body starts after it.
            for key, val in glued[0].items():
                facts.setdefault(key, val)
            body = ln.start + glued[1]
            break
        if f is None:
            # One standfirst may sit between the headline and the byline; a second
            # paragraph of prose means the body has begun, whatever byline follows.
            deck_end = _deck_end(lines, k - 1) if meta.title and not (facts or decked) else None
            if deck_end is not None:
                k, decked = deck_end, True
                continue
            body = ln.start
            break
        hdr_start = ln.start if hdr_start is None else hdr_start
        bullets, n_hdr = bullets or bool(_BULLET_RE.match(ln.text)), n_hdr + 1
        for key, val in f.items():
            if key == "author" and facts.get("author", val) != val:
                facts["author"] += " and " + val
            facts.setdefault(key, val)
    # A lone title-case line after the headline ("The Verdict") is more likely the
    # first body paragraph than a publication, unless it is bulleted or an agency.
    pub = facts.get("publication")
    if set(facts) == {"publication"} and not bullets and not _AGENCY_RE.fullmatch(pub or ""):
        body, facts = hdr_start, {}
    if body is None:
        body = _first_content(text, lines[k - 1].end)
    meta.author, meta.publication = facts.get("author"), facts.get("publication")
    meta.published = facts.get("published") or facts.get("updated")
    meta.body_start = body
    meta.dateline = _dateline(text, body)
    # The header's own byline and date are metadata already; below it, such lines
    # are the page's furniture.
    furniture = _boilerplate(text, _FURNITURE_RE, after=body) + _credits(text, body)
    if furniture:
        meta.boilerplate = sorted(meta.boilerplate + furniture, key=lambda span: span.start)
    return meta


def _head_lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    for m in _LINE_RE.finditer(text, 0, _HEAD_CHARS):
        if len(out) >= _HEAD_LINES:
            break
        c = _CONTENT_RE.search(m.group().rstrip("\r\n"))
        s = m.start()
        out.append(_Line(s + c.start(), s + c.end(), c.group()) if c else _Line(s, s, ""))
    return out


def _first_content(text: str, pos: int) -> int:
    m = _NON_WS_RE.search(text, pos)
    return m.start() if m else len(text)


def _headline_shaped(s: str, max_words: int = 25) -> bool:
    words = s.split()
    core = s.rstrip("\"'”’)]»")
    if not words or len(words) > max_words or len(s) > 250 or not core:
        return False
    if not any(c.isalpha() for c in s) or core[-1] in ",;:":
        return False
    # "Russia says Assad isn't leaving" has no final period; "Talks end in U.S." may.
    return core[-1] != "." or bool(_ABBREV_END_RE.search(core))


def _is_title(text: str, lines: list[_Line], i: int) -> bool:
    s = lines[i].text
    alone = i + 1 < len(lines) and not lines[i + 1].text  # a paragraph of one line
    if not (_headline_shaped(s) or alone and _stopped_headline(s)):
        return False
    # A dateline as _dateline() reads one (its place in capitals): "Budget passes
    # — council split" is a headline, "MOSCOW - Russia's foreign minister" is not.
    if _dateline(s, 0) is not None or _BOILER_RE.match(s):
        return False
    f = _classify(s) or {}
    if {"author", "published", "updated"} & set(f):
        return False
    # A hard-wrapped first paragraph continues in lower case on the next line.
    if i + 1 < len(lines) and lines[i + 1].text[:1].islower():
        return False
    return _first_content(text, lines[i].end) < len(text)


def _stopped_headline(s: str) -> bool:
    """A headline printed with a full stop, as some sites and archives do ("Bridge
    closure questioned.", "Poll: Wealthy Voters Abandon Republican Party."), and not
    the one-sentence lede of an article that has no headline ("The minister said
    on Friday that the bridge was safe.")."""
    core = s.rstrip("\"'”’)]»")  # "... It’s ‘in Their Heads.’"
    if not core.endswith(".") or not _headline_shaped(core[:-1]):
        return False
    words = [w for w in _WORD_RE.findall(s) if w.lower() not in _SMALL_WORDS]
    if len(words) >= 2 and all(w[0].isupper() for w in words) and not s.isupper():
        return True  # title case: "Only 24 Percent of Clinton's Donors Are Small Donors."
    if _LEDE_RE.search(s):
        return False
    if _LABEL_RE.match(s):
        return True  # "The Latest: Sanders wins Minnesota caucuses."
    # Headline grammar drops articles and subjects' pronouns: "Saudi prince mocks
    # Trump on Twitter." but "Millennials have a message for the next president."
    return not _SENTENCE_WORD_RE.search(s) and len(s.split()) <= _MAX_STOPPED_WORDS


def _deck_end(lines: list[_Line], k: int) -> int | None:
    """Where a standfirst between headline and byline ends ("Minister rules out
    talks."), or None when line ``k`` is none. The standfirst is one paragraph (a
    hard-wrapped one goes on in lower case) and what follows it is header: a byline
    or date, at most one other header line before it ("Jane Doe" above the date).
    A paragraph followed by another paragraph is the body's start."""
    end, deck = k + 1, lines[k].text
    while end < len(lines) and end - k < 4 and lines[end].text[:1].islower():
        deck, end = f"{deck} {lines[end].text}", end + 1
    if not _headline_shaped(deck.rstrip("."), max_words=40):
        return None
    following = [ln.text for ln in lines[end:] if ln.text and not _BOILER_RE.match(ln.text)]
    for line in following[:2]:
        facts = _classify(line)
        if facts is None:
            return None
        if {"author", "published", "updated"} & set(facts):
            return end
    return None


def _classify(line: str) -> dict[str, str] | None:
    """The header facts on one line, or None when the line is not a header line."""
    s = _BULLET_RE.sub("", line, count=1)
    facts: dict[str, str] = {}
    for _ in range(3):  # "Published Oct 3, 2023 | Updated Oct 4, 2023"
        found = _find_date(s)
        if not found:
            break
        iso, a, b = found
        label = s[:a].rsplit("|", 1)[-1]
        facts.setdefault("updated" if _UPDATED_RE.search(label) else "published", iso)
        s = f"{s[:a]} | {s[b:]}"
    for seg in _SEP_RE.split(s):
        seg = seg.strip(" ,;:\t")
        if not seg or _ROLE_RE.fullmatch(seg):
            continue
        if _FILLER_RE.fullmatch(seg):
            clock = _clock(_TIME_RE.search(seg))
            key = next((k for k in ("published", "updated") if "T" not in facts.get(k, "T")), "")
            if clock and key:
                facts[key] += clock
            continue
        by = _byline(seg)
        label = _SOURCE_LABEL_RE.fullmatch(seg)
        if by is not None:
            for key, val in by.items():
                facts.setdefault(key, val)
        elif label and _looks_like_pub(label["v"]):
            facts.setdefault("publication", label["v"])
        elif "publication" not in facts and _looks_like_pub(seg):
            facts["publication"] = seg
        else:
            return None
    return facts or None


# Words a lede opens with, which no name has: where a byline without a comma and the
# first sentence glued to it part ("By Lena Ortiz The county has ...").
_LEDE_OPENERS = {
    "the", "a", "an", "in", "on", "at", "after", "as", "for", "it", "this", "when",
    "while", "with", "more", "some", "his", "her", "their", "its", "two", "three",
    "officials", "police", "residents", "nearly", "about", "last", "since", "despite",
}  # fmt: skip
_GLUED_BY_RE = re.compile(r"by\s", re.I)
_MIN_LEDE_WORDS = 6
_MAX_BYLINE_WORDS = 16


def _glued_byline(line: str) -> tuple[dict[str, str], int] | None:
    """A byline that extraction ran into the first sentence of the story, on one
    line: its facts and where the sentence starts. The byline ends at a role or an
    outlet after a comma ("By Lena Ortiz, Staff Writer The county ..."), or, with
    no comma, before the first word that opens a lede ("By Lena Ortiz The county").
    The rest must read as a sentence: capitalised, several words, a full stop. A
    line in capitals ("BY NOON FRIDAY THE CROWD ...") has no case to tell a name
    from a time by: it is read as the lede it may be."""
    if not _GLUED_BY_RE.match(line) or line.rstrip()[-1:] not in '.!?"\u201d':
        return None
    if not any(ch.islower() for ch in line):
        return None
    words = list(re.finditer(r"\S+", line))
    found = None
    for w in words[2 : min(len(words) - _MIN_LEDE_WORDS, _MAX_BYLINE_WORDS)]:
        head, rest = line[: w.start()].rstrip(), line[w.start() :]
        if not rest[0].isupper() or head.endswith(","):
            continue
        by = _byline(head)
        if by is None or len(by.get("author", "").split()) < 2:
            continue  # a full name: "By Monday The council ..." is no byline
        last = head.rsplit(",", 1)[-1].strip()
        if "," in head and (_ROLE_RE.fullmatch(last) or by.get("publication")):
            found = (by, w.start())  # the longest byline that ends in a role or an outlet
        elif found is None and "," not in head and w.group().lower() in _LEDE_OPENERS:
            return by, w.start()
    return found


def _find_date(s: str) -> tuple[str, int, int] | None:
    matches = [m for m in (rx.search(s) for rx in _DATE_RES) if m]
    if not matches:
        return None
    m = min(matches, key=lambda m: m.start())
    g = m.groupdict()
    month = int(g["m"]) if g.get("m") else _MONTHS.index(g["mon"][:3].lower()) + 1
    try:
        day = date(int(g["y"]), month, int(g["d"]))
    except ValueError:
        return None
    if not 1800 <= day.year <= 2199:
        return None
    iso, end = day.isoformat(), m.end()
    t = _TIME_RE.match(s, end)
    clock = _clock(t)
    if t and clock:
        iso, end = iso + clock, t.end()
        z = _TZ_RE.match(s, end)
        if z:
            iso, end = iso + _offset(z), z.end()
    return iso, m.start(), end


def _clock(t: re.Match[str] | None) -> str | None:
    if not t or not (t["mi"] or t["ap"]):  # "2023 10 people" has no time
        return None
    h, mi, sec = int(t["h"]), int(t["mi"] or 0), int(t["s"] or 0)
    ap = (t["ap"] or "")[:1].lower()
    ok = 1 <= h <= 12 if ap else h < 24  # "13 PM" is no time
    if ap:
        h = h % 12 + (12 if ap == "p" else 0)
    return f"T{h:02d}:{mi:02d}:{sec:02d}" if ok and mi < 60 and sec < 60 else None


def _offset(z: re.Match[str]) -> str:
    raw = z["off"] or z["zoff"] or ("+00" if z["z"] else "")
    if not raw:
        return ""
    digits = raw[1:].replace(":", "")
    hh, mm = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
    return f"{raw[0]}{int(hh):02d}:{mm}"


def _byline(seg: str) -> dict[str, str] | None:
    m = _BY_RE.fullmatch(seg)
    if not m:
        return None
    who = m["who"].strip(" ,;")
    if _AGENCY_RE.fullmatch(who):  # "By The Associated Press"
        return {"publication": re.sub(r"^the\s+", "", who, flags=re.I)}
    # "By MARK SHERMAN Associated Press": AP's caps name runs straight into the agency.
    who = re.sub(r"^((?:[A-Z][A-Z.'’-]+\s+)+)(?=[A-Z][a-z]{2})", r"\1, ", who)
    names: list[str] = []
    pub = None
    for n, part in enumerate(_AFFIL_SPLIT_RE.split(who)):
        if n and _ROLE_RE.fullmatch(part):
            continue
        if n and (_is_org(part) or _SPECIAL_TO_RE.match(part)):
            aff = _ROLE_TAIL_RE.sub("", _SPECIAL_TO_RE.sub("", part, count=1))
            aff = re.sub(r"^the\s", "The ", aff)
            if not _looks_like_pub(aff):
                return None
            pub = pub or aff
        elif _is_names(part):
            names.append(part)
        else:
            return None
    if not names:
        return None
    if len(names) == 1 and _AGENCY_RE.fullmatch(names[0]):  # "By AP Staff"
        return {"publication": names[0]}
    return {"author": _normalize_author(", ".join(names))} | ({"publication": pub} if pub else {})


def _is_org(part: str) -> bool:
    return bool(
        part.lower().startswith("the ")
        or _ORG_WORD_RE.search(part)
        or _AGENCY_RE.fullmatch(part)
        or re.fullmatch(r"[A-Z]{2,6}", part)
    )


def _is_names(part: str) -> bool:
    toks = part.split()
    if not 1 <= len(toks) <= 12:
        return False
    named = [t for t in toks if t.lower() not in _CONNECTORS]
    return bool(named) and all(_NAME_TOK_RE.fullmatch(t) and t[0].isupper() for t in named)


def _looks_like_pub(s: str) -> bool:
    """A short title-case name: "New York Times", "The Eastport Courier", "Reuters"."""
    words = s.split()
    if _UPDATED_RE.match(s) or s.lower().startswith(("published", "posted")):
        return False
    if not 1 <= len(words) <= 8 or len(s) > 60 or s[-1] in '.!?:;,"”' or not s[0].isupper():
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS and any(c.isalpha() for c in w)]
    return bool(content) and all(w[0].isupper() or w[0].isdigit() for w in content)


def _normalize_author(who: str) -> str:
    """ "ELLEN BARRY" -> "Ellen Barry"; mixed case ("Mary McCarthy") is kept as written."""
    toks = who.split()
    if any(c.islower() for t in toks if t.lower() not in _CONNECTORS for c in t):
        return " ".join(toks)
    out = []
    for i, t in enumerate(toks):
        if t.lower() in _CONNECTORS and 0 < i < len(toks) - 1:
            out.append(t.lower())  # "LUDWIG VAN BEETHOVEN" -> "Ludwig van Beethoven"
        elif i and _ROMAN_RE.fullmatch(t):
            out.append(t)
        else:
            out.append(re.sub(r"[^\W\d_]+", _cap_piece, t))
    return " ".join(out)


def _cap_piece(m: re.Match[str]) -> str:
    # Each letter run of "O'NEILL" / "JEAN-LUC" is capitalised: "O'Neill", "Jean-Luc".
    w = m.group().lower()
    if w.startswith("mc") and len(w) > 3:
        return "Mc" + w[2].upper() + w[3:]
    if w.startswith("mac") and w[3:].startswith(_MAC_STEMS):
        return "Mac" + w[3].upper() + w[4:]
    return w[:1].upper() + w[1:]


def _dateline(text: str, pos: int) -> str | None:
    m = _DATELINE_RE.match(text[pos : pos + 300])
    if not m:
        return None
    place = m["place"]
    caps = place.split(",")[0]
    nxt = text[pos + m.end() : pos + m.end() + 2].lstrip("\"“‘'(")[:1]
    # "NATO said ..." has no dash; "NATO — the alliance said" goes on in lower case.
    if caps != caps.upper() or sum(c.isalpha() for c in caps) < 2 or nxt.islower():
        return None
    return place


def _boilerplate(text: str, pattern: re.Pattern = _BOILER_RE, after: int = 0) -> list[Span]:
    spans = []
    for m in pattern.finditer(text, after):
        start, end = m.start("line"), m.end("line")
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start <= _MAX_BOILER_LEN:
            spans.append(Span(start, end))
    return spans


def _credits(text: str, after: int) -> list[Span]:
    """Photo credits at the end of a paragraph's line (``_CREDIT_RE``)."""
    spans = []
    for m in _CREDIT_RE.finditer(text, after):
        stop = min(len(text), m.end() + _MAX_CREDIT_CHARS + 1)
        eol = _LINE_END_RE.search(text, m.end(), stop)
        if eol is None and stop < len(text):
            continue  # the line goes on: prose, not a credit
        rest = text[m.end() : eol.start() if eol else stop].strip()
        if m["cue"].startswith("("):
            ok = rest in ("", ".")
        else:
            ok = bool(_CREDIT_WORDS_RE.fullmatch(rest)) and _credit_words(rest.rstrip("."))
        if ok:
            end = m.end() + len(text[m.end() : eol.start() if eol else stop].rstrip())
            spans.append(Span(m.start("cue"), end))
    return spans


def _credit_words(words: str) -> bool:
    toks = words.split()
    if not toks or len(toks) > _MAX_CREDIT_WORDS:
        return False
    return all(_DOMAIN_RE.search(t) or all(map(_credit_token, t.split("/"))) for t in toks)


def _credit_token(tok: str) -> bool:
    """A name's word ("Nackstrand", "AFP", "O'Neill"), a handle, or a small word."""
    first = next((c for c in tok if c.isalnum()), None)
    return first is None or not first.islower() or tok.strip(",;").lower() in _CREDIT_SMALL
