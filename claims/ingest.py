"""Getting article text out of an uploaded file or a URL.

HTML is reduced to the article's text by trafilatura, a maintained extractor
(never a hand-written tag stripper). URLs are fetched with one deadline for the
whole fetch and a size limit, and only from public addresses unless
INGEST_ALLOW_PRIVATE_URLS is on: a pasted link must not make the server reach
into the newsroom's own network.

The host is resolved once per hop, every address it resolves to is checked, and
the connection goes to the checked address (the Host header, SNI and the
certificate check keep the name). Resolving again to connect, as a plain HTTP
client does, would let a DNS server answer a public address to the check and a
private one to the connect ("DNS rebinding"). Redirects are followed here, each
hop checked the same way. No message names a resolved address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import certifi
import trafilatura
import trafilatura.utils
import urllib3
from django.conf import settings
from django.core.files import File
from django.utils import timezone
from markdown_it import MarkdownIt
from urllib3.connection import HTTPConnection, HTTPSConnection

from claims import analysis

TEXT_TYPES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "claim-tracker/1.0 (newsroom fact-checking)"
PRIVATE = "The URL points to a private or local address, which is not allowed."
# A lone surrogate (JSON's "\ud83d" without its pair) is not text: it cannot be
# encoded as UTF-8, so it can be neither hashed nor stored.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What no text column takes: a lone surrogate, and NUL (PostgreSQL's text refuses
# it with a DataError; SQLite keeps it, so only PostgreSQL shows the bug).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


# A file (a page's source above all: scripts and markup) may be this many times
# the INGEST_MAX_BYTES its text may be; so may a page's source pasted as text.
SOURCE_PER_TEXT = 4


class IngestError(ValueError):
    """Input that cannot become an article; the message is for the user."""


def text_from_upload(upload, *, max_bytes: int) -> str:
    """Text of an uploaded .txt, .md or .html file (a Django UploadedFile)."""
    name = getattr(upload, "name", "") or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    kind = TEXT_TYPES.get(suffix)
    if kind is None:
        raise IngestError(f"Unsupported file type {suffix or '(none)'}: use .txt, .md or .html.")
    if getattr(upload, "size", 0) and upload.size > max_bytes * SOURCE_PER_TEXT:
        raise IngestError(f"The file is {upload.size:,} bytes, too large to be an article.")
    data = upload.read(max_bytes * SOURCE_PER_TEXT + 1)
    if kind == "html":
        return html_to_text(_decode(data, encoding=_meta_charset(data)))
    return markdown_to_text(_decode(data)) if kind == "markdown" else _decode(data)


# A page's source, pasted ("view source", a CMS's HTML view): a doctype, or an
# <html> element with its head, body or end tag. Not a text that opens with a
# tag in its words ("<html> tags in emails").
_PAGE_SOURCE = re.compile(
    r"[\s\ufeff\u200b\u2060]*(?:<!doctype\s+html\b|<html[\s>](?=.*?(?:<head[\s>]|<body[\s>]|</html\s*>)))",
    re.IGNORECASE | re.DOTALL,
)


def text_from_paste(text: str) -> str:
    """The article text of pasted text: a page's source is read as an uploaded
    .html file is (its article, without scripts and markup; the same size limit, 4 x
    its text's); other text is as given, and so is a page over that limit
    (checked_text refuses it, as it is)."""
    limit = settings.INGEST_MAX_BYTES * SOURCE_PER_TEXT
    if _PAGE_SOURCE.match(text) and len(text.encode("utf-8")) <= limit:
        return html_to_text(text)
    return text


def text_from_bytes(data: bytes) -> str:
    """Plain text piped in (``manage.py ingest -``), decoded as a file is."""
    return _decode(data)


def text_from_path(path, *, max_bytes: int) -> str:
    """Text of a .txt, .md or .html file on disk (the bulk import), read exactly
    as an upload is: the same types, size limit, decoding and HTML extraction."""
    with open(path, "rb") as handle:
        return text_from_upload(File(handle, name=str(path)), max_bytes=max_bytes)


def _decode(
    data: bytes, *, encoding: str | None = None, source: str = "file", lenient: bool = False
) -> str:
    try:
        return analysis.decode_input(data, encoding=encoding, stray_bytes_as_windows_1252=lenient)
    except analysis.InputError as exc:
        raise IngestError(f"The {source} cannot be read as an article: {exc}.") from None


# <meta charset="windows-1252"> and <meta http-equiv="Content-Type"
# content="text/html; charset=windows-1252">, looked for where browsers look: the
# first KiB of the page (a few more here, for long heads).
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
META_CHARSET_SCAN = 8 * 1024


def _charset(label: str | None) -> str | None:
    """Python's codec for a declared charset, as browsers read it; None for a label
    browsers do not know (the page is then read as if it declared nothing)."""
    if isinstance(label, tuple):  # an RFC 2231 parameter: charset*=utf-8''utf-8
        label = collapse_rfc2231_value(label)
    return _BROWSER_CHARSETS.get(label.strip("\t\n\f\r ").lower()) if label else None


# The labels browsers know, by the Python codec that reads each as they do (the WHATWG
# Encoding Standard, https://encoding.spec.whatwg.org/#names-and-labels). Any other
# label is no declaration, as in a browser: EBCDIC (cp500, cp037), which would read a
# page as binary; Python's own names (base64, unicode-escape); UTF-7, which hides
# markup from filters. Labels that browsers read as a larger charset read as that
# one, because pages that declare the smaller one use its characters: latin-1 and
# ASCII as windows-1252 (curly quotes in 0x80-0x9f), gb2312 as GB18030, Shift_JIS as
# cp932 ("①" as Windows writes it), EUC-KR as cp949, Big5 with HKSCS. Left out: the
# UTF-16 labels, read by a byte-order mark only (decode_input; browsers ignore them in
# <meta>), the "replacement" labels (ISO-2022-KR, HZ: a browser shows nothing of such
# a page) and x-user-defined.
_BROWSER_LABELS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp866": "866 cp866 csibm866 ibm866",
    "iso8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 "
    "iso_8859-2:1987 l2 latin2",
    "iso8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 "
    "iso_8859-3:1988 l3 latin3",
    "iso8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 "
    "iso_8859-4:1988 l4 latin4",
    "iso8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 "
    "iso_8859-5 iso_8859-5:1988",
    "iso8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 "
    "iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 "
    "iso_8859-6:1987",
    "iso8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 "
    "iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 "
    "iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    "iso8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "mac-roman": "csmacintosh mac macintosh x-mac-roman",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "cp1250": "cp1250 windows-1250 x-cp1250",
    "cp1251": "cp1251 windows-1251 x-cp1251",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 "
    "iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    "cp1253": "cp1253 windows-1253 x-cp1253",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    "cp1255": "cp1255 windows-1255 x-cp1255",
    "cp1256": "cp1256 windows-1256 x-cp1256",
    "cp1257": "cp1257 windows-1257 x-cp1257",
    "cp1258": "cp1258 windows-1258 x-cp1258",
    "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gb18030": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 "
    "x-gbk gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso2022_jp": "csiso2022jp iso-2022-jp",
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
    "ksc5601 ksc_5601 windows-949",
}
_BROWSER_CHARSETS = {
    label: codec for codec, labels in _BROWSER_LABELS.items() for label in labels.split()
}


def _meta_charset(data: bytes) -> str | None:
    found = _META_CHARSET.search(data[:META_CHARSET_SCAN])
    # No UTF-16 here: a page read far enough to find the tag is in an
    # ASCII-compatible charset, and _charset knows no UTF-16 label.
    return _charset(found.group(1).decode("ascii", "replace")) if found else None


def _page_encoding(body: bytes, content_type: str, markup: bool) -> str | None:
    """How a fetched page is decoded, as a browser would: the Content-Type's
    charset, else the HTML's <meta> one, else UTF-8 if it is UTF-8, else
    trafilatura's detection (charset_normalizer). A byte-order mark wins over
    all of them (decode_input)."""
    header = Message()
    header["Content-Type"] = content_type
    declared = _charset(header.get_param("charset")) or (markup and _meta_charset(body)) or None
    if declared or b"\x00" in body[:65536]:  # NUL bytes: binary, or UTF-16 with a mark
        return declared
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return next(iter(trafilatura.utils.detect_encoding(body)), None)
    return None


# The HTML parser (libxml2, under trafilatura and lxml.html) checks each attribute
# of a tag against all the tag's others: a page of 5 MB whose one tag carries a
# million attributes takes most of an hour to parse, a worker's time limit again
# and again (an article stuck fetching is fetched again). No real page comes near
# this many on one tag.
MAX_TAG_ATTRIBUTES = 200
# Tokenized as HTML5 does (and libxml2 since 2.14): "<" and a letter start a tag,
# whose attributes are names up to whitespace, "/", ">" or "=", each with an
# optional value (quoted values may hold ">"). Comments, bogus comments and the
# contents of raw-text elements hold no tags. Each step consumes text, so the scan
# is linear in the page.
_HTML_SPACE = "\t\n\f\r "
_TAG_START = re.compile(r"<(?:(!--)|([!?])|(/?)([A-Za-z][^\t\n\f\r />]*))")
_ATTRIBUTE = re.compile(
    rf"[{_HTML_SPACE}/]*(?:=|[^{_HTML_SPACE}/>=])[^{_HTML_SPACE}/>=]*"
    rf"(?:[{_HTML_SPACE}]*=[{_HTML_SPACE}]*(?:\"[^\"]*\"?|'[^']*'?|[^{_HTML_SPACE}>]*))?"
)
_COMMENT_END = re.compile(r"--!?>")
_TAG_END = re.compile(rf"[{_HTML_SPACE}/]*(?:>|\Z)")
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
_RAW_TEXT_END = {name: re.compile(rf"</{name}", re.IGNORECASE) for name in _RAW_TEXT}


def check_markup(
    html: str, *, limit: int = MAX_TAG_ATTRIBUTES, what: str = "HTML page", xml: bool = False
) -> None:
    """IngestError if a tag of ``html`` (a ``what``) has more than ``limit``
    attributes (see MAX_TAG_ATTRIBUTES), found in one pass before any parser
    reads it. ``xml``: a document an XML parser reads (a feed), where <title>,
    <script> and the other raw-text elements of HTML are elements like any other,
    their contents tags to check."""
    pos, size = 0, len(html)
    while (start := _TAG_START.search(html, pos)) is not None:
        pos = start.end()
        if start.group(1):  # <!-- ... -->, "<!-->", "<!--->" and "--!>" too (HTML5)
            if html.startswith(">", pos) or html.startswith("->", pos):
                pos = html.find(">", pos) + 1
                continue
            end = _COMMENT_END.search(html, pos)
            pos = size if end is None else end.end()
            continue
        if start.group(2):  # <!DOCTYPE ...>, <?xml ...?>: up to the first ">"
            end = html.find(">", pos)
            pos = size if end < 0 else end + 1
            continue
        count = 0
        while (closing := _TAG_END.match(html, pos)) is None:
            pos = _ATTRIBUTE.match(html, pos).end()
            count += 1
            if count > limit:
                raise IngestError(
                    f"The {what} has a tag with more than {limit} attributes, "
                    "which the parser would take minutes to read: it is not read."
                )
        pos = closing.end()
        name = start.group(4).lower()
        if not xml and not start.group(3) and name in _RAW_TEXT:
            end = _RAW_TEXT_END[name].search(html, pos)
            pos = size if end is None else end.start()
        if pos >= size:
            break


def _without_stray_nuls(body: bytes) -> bytes:
    """An HTML page without the few NUL bytes a CMS left in its markup (a banner's
    tag followed by a run of them): the HTML parser drops them and a browser shows
    the page, so they do not make it binary. UTF-16 and UTF-32 pages (a byte-order
    mark, or NULs in more than one byte in 50) and binary keep theirs."""
    nuls = body.count(b"\x00")
    if not nuls or nuls * 50 > len(body) or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body
    return body.replace(b"\x00", b"")


def html_to_text(html: str, *, url: str | None = None) -> str:
    """The article text of an HTML page; scripts, navigation and markup dropped.
    ``url``, where the page came from, helps tell the site's name in its title."""
    check_markup(html)
    text = _extract(html, favor_precision=True)
    if not text:
        # The precise pass prunes the whole article on some pages: one laid out in a
        # table (include_tables is off: data tables are not prose), or in blocks it
        # takes for navigation. The recall-first pass finds it; it runs only when the
        # precise one found nothing, so that no other page reads differently.
        text = _extract(html, favor_recall=True)
    if not text:
        raise IngestError("No article text was found in the HTML.")
    heading = _headline(trafilatura.extract_metadata(html, default_url=url), url)
    # Not when the text's first line is the headline already (the page's <h1>, which
    # may be longer than the metadata's: "Kolumne: Queer Royal - Über Dragqueens
    # ..."); a first paragraph that begins with it ("Penny is a villager who lives
    # in town.") is not a headline.
    first = text.split("\n", 1)[0].strip()
    if heading and not (first.startswith(heading) and _headline_shaped(first)):
        return f"{heading}\n\n{text}"
    return text


def _headline_shaped(line: str) -> bool:
    return len(line.split()) <= 25 and not line.endswith(".")


def _extract(html: str, **favor) -> str | None:
    text = trafilatura.extract(html, include_comments=False, include_tables=False, **favor)
    return text if text and text.strip() else None


# What sites put between a headline and their own name in <title> and og:title:
# "Headline | Site", "Headline - Site", "Site — Headline". Not a colon, which is the
# headline's own ("Brexit: what happens next").
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\u2013\u2014\u2022\u00b7\u00bb/]|-{1,2}|::)\s+")


def _headline(metadata, url: str | None) -> str | None:
    """The page's title without the site's name, which is the publication and not
    part of the headline: "Losing face: 6,000 masks stolen | The Japan Times" is
    "Losing face: 6,000 masks stolen". A part is dropped only when it names the
    site (its og:site_name, or its host), so that "Grades – Until Now" stays."""
    title = metadata.title if metadata is not None else None
    if not title:
        return None
    names = _site_names(metadata, url)
    cuts = list(_TITLE_SEPARATOR.finditer(title))
    if cuts and _names_site(title[cuts[-1].end() :], names):
        title = title[: cuts[-1].start()]
    elif cuts and _names_site(title[: cuts[0].start()], names):
        title = title[cuts[0].end() :]
    return title.strip() or None


def _key(name: str) -> str:
    return re.sub(r"\W|_", "", name.casefold())


def _site_names(metadata, url: str | None) -> tuple[set[str], set[str]]:
    """The site's names as keys (letters and digits, case-folded): its own name and
    its host's ("japantimes.co.jp" and "japantimes"), whole; and the parts a longer
    name may be written with ("St.Galler Tagblatt" for tagblatt.ch)."""
    hosts = {metadata.hostname, urlsplit(url).hostname if url else None} - {None, ""}
    # Without og:site_name, trafilatura takes a part of <title> with a dot in it for
    # the site's name: "Popkultur.de", but also an author's initials ("Love is War
    # - Sehnsucht von R. K. Lilley"). A name that reads as words is not trusted.
    sitename = metadata.sitename or ""
    names = {_key(sitename)} if ". " not in sitename else set()
    cores = set()
    for host in hosts:
        labels = host.casefold().removeprefix("www.").split(".")
        names.add(_key(".".join(labels)))
        cores.add(_key(max(labels[:-1] or labels, key=len)))
    return names - {""}, {core for core in cores if len(core) >= 4}


def _names_site(part: str, site: tuple[set[str], set[str]]) -> bool:
    """True if ``part`` of a title is the site's name: "The Japan Times", "Popkultur.de",
    "BMBF" (its og:site_name "Bundesministerium ... - BMBF"), "St.Galler Tagblatt"
    (on tagblatt.ch). A name in a longer part ("Welpen kaufen" on a site called
    "Welpen") is not enough: that part is the headline's."""
    key = _key(part)
    names, cores = site
    if not key or len(part.split()) > 8:
        return False
    if key in names or (len(key) >= 4 and any(key in name for name in names)):
        return True
    # The host's name inside a part: a name is written in capitalised words ("St.Galler
    # Tagblatt", "Politico Playbook") or as an address ("www.AussenGedanken.de"); a
    # part with another word in lower case is the headline's ("Storm hits - Time to
    # rebuild" on time.com, "Latest news updates" on news.com.au).
    lower = any(w[:1].islower() and "." not in w for w in part.split())
    return not lower and any(core in key for core in cores)


# What markdown-it-py's time grows with, and how much of each a Markdown file may
# hold (it is converted inside the web request, from up to 4 x INGEST_MAX_BYTES):
# its cost is linear, but tens of microseconds per line, "[" or emphasis mark
# against a fraction of one per letter, so that 4 MB of "![" took about 90 s, and
# as many short lines or "*a" tens of seconds. Worst per unit, measured (ms per
# thousand): "a[" 50, "x\n\n" 32 a line, "*a" 17, ":" 3. At these caps the worst
# file converts in about 2 s (bench/markdown_worst.py); an article of 1 MB of
# text, a link and emphasis in each paragraph of 400 characters, stays under each
# (tests/services/test_markdown_cost.py). str.count is C: milliseconds for 4 MB.
MARKDOWN_MAX_LINES = 20_000
# A long article hard-wrapped at 40 to 70 columns (wire copy, an editor's paragraphs)
# has a line every few dozen characters: 1 MB of it at 46 a line is 22,800 lines,
# and converts as fast as 1 MB of prose (its lines take no more than the text they
# hold). Past MARKDOWN_MAX_LINES, a file may have a line for every MARKDOWN_MIN_LINE
# characters of up to INGEST_MAX_BYTES; its blocks that cost the most a line (list
# items, quoted lines) stay under MARKDOWN_MAX_LINES.
MARKDOWN_MIN_LINE = 32
_MARKDOWN_ITEM = re.compile(r"^[ \t]{0,3}(?:[-*+>]|\d{1,9}[.)])(?=[ \t]|$)", re.M)
MARKDOWN_MAX_BRACKETS = 10_000  # "[": links and images
MARKDOWN_MAX_EMPHASIS = 20_000  # "*" and "_"
# The other characters at which markdown-it's inline parser stops to try its rules.
MARKDOWN_OTHER_MARKS = "!#$%&+-:<=>@\\]^`{}~"
MARKDOWN_MAX_OTHER_MARKS = 50_000


def markdown_check(source: str) -> None:
    """IngestError if converting ``source`` could take seconds: more lines, links,
    emphasis or other markup than any article has (see MARKDOWN_MAX_LINES)."""
    lines = source.count("\n")
    wrapped = min(len(source), settings.INGEST_MAX_BYTES) // MARKDOWN_MIN_LINE
    counts = [
        (lines, max(MARKDOWN_MAX_LINES, wrapped), "lines"),
        (source.count("["), MARKDOWN_MAX_BRACKETS, '"[" (links and images)'),
        (source.count("*") + source.count("_"), MARKDOWN_MAX_EMPHASIS, '"*" and "_"'),
        (
            sum(map(source.count, MARKDOWN_OTHER_MARKS)),
            MARKDOWN_MAX_OTHER_MARKS,
            "markup characters",
        ),
    ]
    if lines > MARKDOWN_MAX_LINES:  # else fewer items than that: not counted
        items = len(_MARKDOWN_ITEM.findall(source))
        counts.append((items, MARKDOWN_MAX_LINES, "list items and quoted lines"))
    for count, limit, what in counts:
        if count > limit:
            raise IngestError(
                f"The Markdown file has {count:,} {what}, more than the {limit:,} an article "
                "may have to be converted. Upload it as plain text (.txt), or in parts."
            )


def markdown_to_text(source: str) -> str:
    """Plain text of a Markdown article: each heading, paragraph and list item a
    line of its own (blank lines between blocks, the line breaks inside a
    paragraph kept), without the markup (``#``, ``*emphasis*``, link targets), so
    that the heading is the title line and the header parser finds the byline and
    publication. Raw HTML is not interpreted (``html`` off): it stays as text.
    IngestError for a file whose conversion could take seconds (markdown_check)."""
    markdown_check(source)
    parser = MarkdownIt("commonmark", {"html": False})
    blocks: list[str] = []
    bullet = ""
    for token in parser.parse(source):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            bullet = "• "
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            bullet = ""
        elif token.type == "inline":
            text = _inline_text(token.children or []).strip()
            if text:
                blocks.append(bullet + text if token.level > 1 and bullet else text)
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []))
    return "".join(parts)


# --- Text ------------------------------------------------------------------------------


def refuse_surrogates(value: str, where: str) -> None:
    """IngestError if ``value`` holds a lone surrogate, with the words the API's
    own fields use ("Surrogate characters are not allowed")."""
    bad = _SURROGATE.search(value)
    if bad:
        raise IngestError(
            f"Surrogate characters are not allowed: U+{ord(bad.group()):04X} (in {where})."
        )


def storable_text(value: str) -> str:
    """``value`` without the characters no text column takes (NUL, lone
    surrogates): for text that others wrote and that is kept as it came, such as
    a webhook receiver's answer or a feed item's title."""
    return _UNSTORABLE.sub("", value)


def checked_text(text: str | None) -> str:
    """The text, if it can become an article; IngestError otherwise."""
    if text is None:
        raise IngestError("The article is empty.")
    refuse_surrogates(text, "the text")
    text = analysis.normalise_newlines(text)
    size = len(text.encode("utf-8"))
    if size > settings.INGEST_MAX_BYTES:
        raise IngestError(
            f"The article is {size:,} bytes; the limit is {settings.INGEST_MAX_BYTES:,} bytes."
        )
    try:
        return analysis.check_text(text)
    except analysis.InputError as exc:
        raise IngestError(f"The article cannot be analysed: {exc}.") from None


def article_fields(text: str) -> dict:
    """The Article fields read from the text's header (title, author, ...)."""
    meta = analysis.parse_header(text)
    return {
        "title": (meta.title or "")[:500],
        "author": (meta.author or "")[:300],
        "publication": (meta.publication or "")[:300],
        "dateline": (meta.dateline or "")[:200],
        "published_at": _published_at(meta.published),
        "body_offset": meta.body_start,
    }


def _published_at(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


# --- URLs ------------------------------------------------------------------------------


# Every table that keeps an address (an article's source_url, a feed's url and its
# items' links, a webhook endpoint's url) holds this many characters.
URL_MAX_LENGTH = 2000


# C0 controls and DEL: never a URL's own characters (a link writes them %XX), and a
# NUL is refused by PostgreSQL in text (a URL list's line with one stopped the import).
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def check_url(
    url: str, *, allow_private: bool | None = None, max_length: int | None = URL_MAX_LENGTH
) -> str:
    """The URL if its shape can be fetched (scheme, host, port; a literal address
    must be public) and it fits the tables that keep it (``max_length``, None for a
    redirect's hop, which is fetched, not stored); IngestError, a clear 400,
    otherwise. Names are resolved only when the page is fetched, off the web
    request. ``allow_private`` defaults to INGEST_ALLOW_PRIVATE_URLS."""
    if max_length is not None and len(url) > max_length:
        raise IngestError(f"The URL is longer than {max_length} characters.")
    control = _CONTROL.search(url)
    if control:
        raise IngestError(
            f"The URL has a control character in it (U+{ord(control.group()):04X});"
            " a link's own characters are written %XX."
        )
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port  # .port raises for 70000 or "8o"
    except ValueError:
        raise IngestError("The URL is malformed: its host or port cannot be read.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise IngestError("Only http:// and https:// URLs can be fetched.")
    if port == 0:
        raise IngestError("The URL is malformed: port 0 cannot be fetched.")
    try:
        host.encode("idna")
    except UnicodeError:
        raise IngestError("The URL's host name is not valid.") from None
    literal = _literal_address(host)
    if literal is not None and not _private_allowed(allow_private):
        _check_address(literal)
    return url


def _private_allowed(allow_private: bool | None) -> bool:
    return settings.INGEST_ALLOW_PRIVATE_URLS if allow_private is None else allow_private


def check_host(url: str, *, allow_private: bool | None = None, timeout: float = 5.0) -> None:
    """Resolve the URL's host now and check every address it resolves to (what
    a fetch does before connecting): for a registration form, where a clear
    refusal is better than a failure at the first delivery. IngestError if any
    address is private (unless allowed) or the host is not found."""
    parts = urlsplit(check_url(url, allow_private=allow_private))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    deadline = _Deadline(timeout)
    try:
        _resolve(parts.hostname or "", port, deadline, allow_private)
    finally:
        deadline.cancel()


def text_from_url(url: str) -> str:
    """Fetch a page and return its article text. Everything, redirects included,
    ends within INGEST_URL_TIMEOUT seconds."""
    body, content_type = bytes_from_url(url)
    markup = "html" in content_type or body.lstrip()[:1] == b"<"
    if not (markup or content_type.startswith("text/") or not content_type):
        raise IngestError(f"The URL returned {content_type.split(';')[0]}, not an article.")
    if markup:
        body = _without_stray_nuls(body)
    encoding = _page_encoding(body, content_type, markup)
    # A page's bytes that are not in its declared UTF-8 (a CMS's pasted curly quote)
    # are read as windows-1252: a browser shows the page, with U+FFFD for them; an
    # upload or a paste that is not UTF-8 is still refused, for the sender to fix.
    text = _decode(body, encoding=encoding, source="page", lenient=True)
    # A UTF-16 page's first bytes are its byte-order mark, not "<": look again.
    if markup or text.lstrip()[:1] == "<":
        return html_to_text(text, url=url)
    return text


def bytes_from_url(url: str, *, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The body of a URL and its lower-cased Content-Type, fetched as pages are
    (public addresses only, one deadline, redirects checked hop by hop), at most
    ``max_bytes`` (default INGEST_URL_MAX_BYTES); IngestError otherwise."""
    fetched = response_from_url(url, max_bytes=max_bytes)
    return fetched.body, fetched.content_type


@dataclass(frozen=True)
class Fetched:
    """A fetched URL: its status (200, or 304 to a conditional request), body and
    the response headers a caller may keep (lower-cased Content-Type; ETag and
    Last-Modified as they came, to be sent back on the next request)."""

    status: int
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def response_from_url(
    url: str, *, headers: dict[str, str] | None = None, max_bytes: int | None = None
) -> Fetched:
    """Fetch a URL as pages are (public addresses only, one deadline, redirects
    checked hop by hop, at most ``max_bytes``), sending ``headers`` too (such as
    If-None-Match and If-Modified-Since: a 304 answer comes back with an empty
    body, not as an error). IngestError for a failure or an HTTP error."""
    deadline = _Deadline(settings.INGEST_URL_TIMEOUT)
    try:
        response = _fetch(url, deadline, headers or {})
        try:
            body = _read_limited(response, deadline, max_bytes)
            found = response.headers
            return Fetched(
                status=response.status,
                body=body,
                content_type=found.get("Content-Type", "").lower(),
                etag=found.get("ETag", "")[:500],
                last_modified=found.get("Last-Modified", "")[:100],
            )
        finally:
            response.release_conn()
    finally:
        deadline.cancel()


class _Deadline:
    """One deadline for the whole fetch. A per-read timeout is not one: a server
    that sends 10 bytes every 4 s never trips it. So each socket is shut down by a
    timer when the time is up, whatever it is doing (connecting, the TLS handshake,
    headers, body), and ``expired`` says why the read ended."""

    def __init__(self, seconds: float, late: str = "The page did not arrive"):
        self.seconds, self.late = seconds, late
        self.end = time.monotonic() + seconds
        self.expired = False
        self._timers: list[threading.Timer] = []

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise self.error()
        return left

    def error(self) -> IngestError:
        return IngestError(f"{self.late} within {self.seconds:g} s.")

    def watch(self, sock: socket.socket) -> None:
        timer = threading.Timer(self.remaining(), self._cut, (sock,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _cut(self, sock: socket.socket) -> None:
        self.expired = True
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()


class _PinnedConnection:
    """Connects to the address that was checked, not to whatever the name
    resolves to now: no second lookup (not even for a literal address)."""

    def __init__(self, *args, pinned: str, deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned, self._deadline = pinned, deadline

    def _new_conn(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._pinned else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._deadline.watch(sock)
            sock.settimeout(self._deadline.remaining())
            sock.connect((self._pinned, self.port))
        except BaseException:
            sock.close()
            raise
        return sock


class _PinnedHTTPConnection(_PinnedConnection, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


def _fetch(url: str, deadline: _Deadline, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
    for hop in range(MAX_REDIRECTS + 1):
        try:
            # Fetched, not stored: the address given was checked, length too, where it
            # came in (a redirect may lead to a longer one).
            response = _get(check_url(url, max_length=None), deadline, headers=headers)
        except IngestError as exc:
            if hop and str(exc) == PRIVATE:
                raise IngestError("The URL redirected to a private or local address.") from None
            raise
        if response.status in REDIRECTS and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            response.release_conn()
            continue
        if response.status >= 400:
            response.release_conn()
            raise IngestError(f"The URL returned HTTP {response.status}.")
        return response
    raise IngestError("The URL redirected too many times.")


def _get(
    url: str,
    deadline: _Deadline,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
    allow_private: bool | None = None,
) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    pinned = _resolve(host, port, deadline, allow_private)
    pool_class, tls = (_HTTPSPool, True) if parts.scheme == "https" else (_HTTPPool, False)
    extra = {"cert_reqs": "CERT_REQUIRED", "ca_certs": certifi.where()} if tls else {}
    pool = pool_class(
        host, port, maxsize=1, retries=False, pinned=pinned, deadline=deadline, **extra
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        return pool.urlopen(
            method,
            path,
            body=body,
            headers={
                "User-Agent": USER_AGENT,
                "Accept-Encoding": "gzip, deflate",
                **(headers or {}),
            },
            redirect=False,
            retries=False,
            preload_content=False,
            timeout=urllib3.Timeout(total=deadline.remaining()),
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if deadline.expired:  # the timer cut the socket
            raise deadline.error() from None
        cause = _network_cause(exc)
        if isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(
            cause, ConnectionError | ssl.SSLError
        ):
            raise deadline.error() from None
        target = "the endpoint" if method == "POST" else "the server"
        raise IngestError(_network_error(cause, target)) from None


def _network_cause(exc: BaseException) -> BaseException:
    """The error under urllib3's wrappers (ProtocolError("Connection aborted.",
    ConnectionRefusedError(...)), SSLError(SSLCertVerificationError(...)))."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = next((a for a in exc.args if isinstance(a, BaseException)), None)
        inner = inner or exc.__cause__ or exc.__context__
        if inner is None or isinstance(exc, ConnectionError | ssl.SSLError):
            break
        exc = inner
    return exc


def _network_error(cause: BaseException, target: str) -> str:
    """Why nothing came back, in words ("connection refused", a certificate that
    is not valid), not an exception's class name."""
    if isinstance(cause, ConnectionRefusedError):
        return f"Could not connect to {target} (connection refused)."
    if isinstance(cause, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return f"The connection to {target} was closed before it answered (connection reset)."
    if isinstance(cause, ssl.SSLCertVerificationError):
        why = cause.verify_message or "not valid"
        return f"The TLS certificate of {target} was refused: {why}."
    if isinstance(cause, ssl.SSLError):
        why = cause.reason or str(cause)
        return f"The TLS handshake with {target} failed ({why})."
    if isinstance(cause, socket.timeout | TimeoutError | urllib3.exceptions.TimeoutError):
        return f"Could not connect to {target} (the connection timed out)."
    if isinstance(cause, OSError) and cause.strerror:
        return f"Could not connect to {target} ({cause.strerror.lower()})."
    return f"The URL could not be fetched ({type(cause).__name__})."


def _read_limited(
    response: urllib3.BaseHTTPResponse, deadline: _Deadline, limit: int | None = None
) -> bytes:
    limit = limit or settings.INGEST_URL_MAX_BYTES
    chunks, size = [], 0
    try:
        while chunk := response.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise IngestError(f"The page is larger than {limit:,} bytes.")
            chunks.append(chunk)
            deadline.remaining()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if deadline.expired:
            raise deadline.error() from None
        raise IngestError(f"The URL could not be read: {type(exc).__name__}.") from None
    if deadline.expired:  # the timer cut the socket: what came is not the whole page
        raise deadline.error()
    return b"".join(chunks)


class PostResult(NamedTuple):
    status: int
    body: bytes  # the start of the response body, at most ``max_response`` bytes


def post_json(
    url: str,
    body: bytes,
    *,
    headers: dict,
    timeout: float,
    allow_private: bool | None = None,
    max_response: int = 2048,
) -> PostResult:
    """POST ``body`` (JSON) to ``url`` the way pages are fetched: the host resolved
    once, every address checked (public only, unless ``allow_private``), the
    connection made to the checked address, one deadline for the whole exchange.
    No redirect is followed: a 3xx is returned as it is. Only the first
    ``max_response`` bytes of the answer are read. IngestError when nothing came
    back (refused address, unknown host, connection error, timeout)."""
    deadline = _Deadline(timeout, "The endpoint did not answer")
    try:
        response = _get(
            check_url(url, allow_private=allow_private),
            deadline,
            method="POST",
            body=body,
            headers={"Content-Type": "application/json", **headers},
            allow_private=allow_private,
        )
        try:
            excerpt = _read_excerpt(response, max_response)
        finally:
            response.release_conn()
        return PostResult(response.status, excerpt)
    finally:
        deadline.cancel()


def _read_excerpt(response, limit: int) -> bytes:
    try:
        data = response.read(limit)
    except (urllib3.exceptions.HTTPError, OSError):
        return b""  # the status came; a body cut short is no reason to fail
    return data or b""


def _resolve(host: str, port: int, deadline: _Deadline, allow_private: bool | None = None) -> str:
    """The address to connect to: the name is resolved once, and every address it
    resolves to must be public (unless INGEST_ALLOW_PRIVATE_URLS, or
    ``allow_private``)."""
    literal = _literal_address(host)
    addresses = [literal] if literal is not None else _lookup(host, port, deadline)
    if not _private_allowed(allow_private):
        for address in addresses:
            _check_address(address)
    return str(addresses[0])


def _lookup(host: str, port: int, deadline: _Deadline) -> list:
    """getaddrinfo within the deadline (it has no timeout of its own)."""
    answer: dict = {}

    def run() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            answer["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        deadline.expired = True
        raise deadline.error()
    addresses = []
    for info in answer.get("infos") or ():
        try:
            addresses.append(ipaddress.ip_address(info[4][0].split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise IngestError(f"The host {host} could not be found.")
    return addresses


def _literal_address(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _check_address(address) -> None:
    if not public_address(address):
        raise IngestError(PRIVATE)


# IPv6 addresses that stand for an IPv4 one in their last 32 bits: a fetch goes to
# that IPv4 address (http://[64:ff9b::7f00:1]/ is 127.0.0.1 behind a NAT64 gateway),
# so it is the one checked. IPv4-compatible ::a.b.c.d, IPv4-mapped ::ffff:a.b.c.d,
# SIIT's IPv4-translated ::ffff:0:a.b.c.d, and NAT64's well-known prefix.
_IPV4_IN_LAST_32_BITS = tuple(
    ipaddress.ip_network(net)
    for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# IANA special-purpose ranges that are not globally reachable but that
# ipaddress.is_global counts as public on Python 3.11.7: 192.0.0.0/24 (CVE-2024-4032,
# all of it, the anycast 192.0.0.9 and .10 too), the old 6to4 relay anycast, NAT64's
# local-use prefix (where its IPv4 address sits depends on the network), and those
# registered after that release (documentation 3fff::/20, SRv6 5f00::/16, the dummy
# prefix), and the deprecated site-local fec0::/10.
_NOT_GLOBAL = tuple(
    ipaddress.ip_network(net)
    for net in (
        "192.0.0.0/24",
        "192.88.99.0/24",
        "64:ff9b:1::/48",
        "100:0:0:1::/64",
        "3fff::/20",
        "5f00::/16",
        "fec0::/10",
    )
)


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True if an outbound fetch may go to ``address``: URL ingest, feeds and
    webhooks all check each address through this (check_url, _resolve). An IPv6
    address that carries an IPv4 one (IPv4-mapped or -compatible, NAT64, 6to4) is
    judged by the IPv4 one; Teredo (2001::/32, never public) by its server and
    client as well."""
    if address.version == 6:
        if any(address in net for net in _IPV4_IN_LAST_32_BITS):
            return public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:  # 2002:7f00:1:: is 127.0.0.1
            return public_address(address.sixtofour)
        if address.teredo is not None and not all(map(public_address, address.teredo)):
            return False
    return (
        address.is_global
        and not address.is_multicast
        and not any(address in net for net in _NOT_GLOBAL)
    )
