"""Turning raw bytes into text the engine can analyse, or a clear refusal."""

from __future__ import annotations

import codecs
import functools
import importlib
import re

# A text whose share of control characters passes this is data, not an article.
MAX_CONTROL_SHARE = 0.01
# Not the form feed: it is a page break (text taken from PDFs, old wire files),
# whitespace to the engine, as tab and newline are.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Blank to a reader: whitespace, and the invisible characters that str.strip()
# keeps (a byte-order mark, zero-width spaces, word joiners) but that paste and
# export tools leave behind. A text of nothing else is empty.
BLANK = r"\s\ufeff\u200b\u2060"
# Blank, and the other characters that show nothing on their own (joiners, a soft
# hyphen): a text of only these is empty.
_VISIBLE = re.compile(rf"[^{BLANK}\u200c\u200d\u00ad]")


# UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class InputError(ValueError):
    """Input that cannot be analysed; the message is one line for the user."""


def normalise_newlines(text: str) -> str:
    # Offsets are indices into the text as Python's text mode reads a file
    # (universal newlines), which is how every consumer of the offsets reads it.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_input(
    data: bytes,
    *,
    max_bytes: int | None = None,
    encoding: str | None = None,
    stray_bytes_as_windows_1252: bool = False,
) -> str:
    """Decode bytes to analysable text, or raise InputError saying why: UTF-16 or
    UTF-32 when a byte-order mark says so, else ``encoding`` (a page's declared
    charset), else UTF-8.

    With ``stray_bytes_as_windows_1252``, UTF-8 input with bytes that are not UTF-8
    is read anyway, those bytes as windows-1252 (as browsers read that code page):
    a page that says it is UTF-8 but carries a CMS's pasted curly quote (0x92) or
    is windows-1252 throughout, where a browser would show U+FFFD."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"input is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    wide = next((name for bom, name in _WIDE_BOMS if data.startswith(bom)), None)
    # UTF-16 and UTF-32 text is full of NUL bytes; any other text has none.
    if wide is None and b"\x00" in data[:65536]:
        raise InputError("input looks like binary data (it contains NUL bytes), not text")
    # Plain "utf-8", not "utf-8-sig": a byte-order mark stays in the text, as it
    # does when Python reads the file, so offsets agree with other readers.
    if data.startswith(codecs.BOM_UTF8):  # UTF-8's mark says UTF-8, whatever was declared
        wide = "utf-8"
    encoding = wide or encoding or "utf-8"
    if stray_bytes_as_windows_1252 and codecs.lookup(encoding).name == "utf-8":
        return check_text(normalise_newlines(data.decode("utf-8", _STRAY_BYTES)))
    try:
        text = _decoded(data, encoding)
    except UnicodeError as exc:  # a decode error, or a codec that cannot decode at all
        name = "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding
        where = getattr(exc, "start", None)
        if where is None:
            raise InputError(f"input cannot be read as {name}") from None
        raise InputError(
            f"input is not valid {name} (byte 0x{data[where]:02x} at offset {where})"
        ) from None
    return check_text(normalise_newlines(text))


def _decoded(data: bytes, encoding: str) -> str:
    table = _as_browsers_read(codecs.lookup(encoding).name)
    return codecs.charmap_decode(data, "strict", table)[0] if table else data.decode(encoding)


# Windows code pages as browsers read them (the WHATWG Encoding Standard's indexes,
# after Microsoft's own converter): a byte that Python's codec leaves undefined in
# 0x80-0x9f is the C1 control of that number (0x81 in a windows-1252 or latin-1
# page is U+0081, where Python raises), and windows-1255's 0xca is the Hebrew
# point holam haser for vav.
_WINDOWS_CODE_PAGE = re.compile(r"cp874|cp125[0-8]")
_UNDEFINED = "\ufffe"  # how Python's charmap tables mark a byte they leave out


@functools.cache
def _as_browsers_read(name: str) -> str | None:
    """The decoding table of a Windows code page as browsers read it; None for
    every other codec."""
    if not _WINDOWS_CODE_PAGE.fullmatch(name):
        return None
    table = list(importlib.import_module(f"encodings.{name}").decoding_table)
    for byte in range(0x80, 0xA0):
        if table[byte] == _UNDEFINED:
            table[byte] = chr(byte)
    if name == "cp1255":
        table[0xCA] = "\u05ba"
    return "".join(table)


def _stray_bytes(exc: UnicodeError) -> tuple[str, int]:
    """A codec error handler: the bytes UTF-8 could not read, as windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    table = _as_browsers_read("cp1252")
    return codecs.charmap_decode(exc.object[exc.start : exc.end], "strict", table)[0], exc.end


_STRAY_BYTES = "claims-stray-bytes-as-windows-1252"
codecs.register_error(_STRAY_BYTES, _stray_bytes)


def check_text(text: str) -> str:
    """Refuse text that is empty or mostly control characters."""
    if not _VISIBLE.search(text):
        raise InputError("input is empty")
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) * MAX_CONTROL_SHARE) or "\x00" in text:
        raise InputError(f"input looks like binary data ({controls} control characters), not text")
    return text
