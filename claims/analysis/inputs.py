"""Turning raw bytes into text the engine can analyse, or a clear refusal."""

from __future__ import annotations

import re

# A text whose share of control characters passes this is data, not an article.
MAX_CONTROL_SHARE = 0.01
# Not the form feed: it is a page break (text taken from PDFs, old wire files),
# whitespace to the engine, as tab and newline are.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class InputError(ValueError):
    """Input that cannot be analysed; the message is one line for the user."""


def normalise_newlines(text: str) -> str:
    # Offsets are indices into the text as Python's text mode reads a file
    # (universal newlines), which is how every consumer of the offsets reads it.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_input(data: bytes, *, max_bytes: int | None = None) -> str:
    """Decode UTF-8 bytes to analysable text, or raise InputError saying why."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"input is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if b"\x00" in data[:65536]:
        raise InputError("input looks like binary data (it contains NUL bytes), not text")
    try:
        # Plain "utf-8", not "utf-8-sig": a byte-order mark stays in the text, as it
        # does when Python reads the file, so offsets agree with other readers.
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"input is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return check_text(normalise_newlines(text))


def check_text(text: str) -> str:
    """Refuse text that is empty or mostly control characters."""
    if not text.strip():
        raise InputError("input is empty")
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) * MAX_CONTROL_SHARE) or "\x00" in text:
        raise InputError(f"input looks like binary data ({controls} control characters), not text")
    return text
