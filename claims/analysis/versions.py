"""Two versions of an article's text: where the old text's spans went in the new
one, how alike two claims are, and word diffs that stay fast on a 1 MB text.

Everything is aligned by lines first (a paragraph is a line in our texts), with
difflib: a 1 MB article has some thousands of lines, and a line-level
SequenceMatcher over them takes milliseconds where one over its 170,000 words
takes minutes. Words are compared only inside the lines that changed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

# A changed block bigger than this (characters, either side) is shown as removed
# and added lines, not diffed word by word: a rewritten story is not worth a
# quadratic diff.
WORD_DIFF_MAX = 20_000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Block:
    """A region of the old text and the region it became: ``equal`` (the same
    characters, shifted) or ``replace``/``delete``/``insert``."""

    kind: str
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class Alignment:
    """The blocks of two texts, to translate offsets of the old one."""

    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        self._starts = [b.old_start for b in blocks]

    def _block(self, offset: int) -> Block | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0 and self.blocks[i].old_end <= offset and self.blocks[i].kind != "equal":
            i -= 1  # an insert is empty on the old side: the block before holds offset
        return self.blocks[i] if i >= 0 else None

    def exact(self, start: int, end: int) -> tuple[int, int] | None:
        """Where ``old[start:end]`` is in the new text, if it is unchanged there
        (inside one equal block); else None."""
        block = self._block(start)
        if block is None or block.kind != "equal" or end > block.old_end:
            return None
        shift = block.new_start - block.old_start
        return start + shift, end + shift

    def region(self, start: int, end: int) -> tuple[int, int]:
        """The part of the new text that ``old[start:end]`` became: exact where
        it is unchanged, the whole changed block where it changed."""
        first, last = self._block(start), self._block(max(start, end - 1))
        if first is None or last is None:
            return 0, 0
        lo = start + first.new_start - first.old_start if first.kind == "equal" else first.new_start
        hi = end + last.new_start - last.old_start if last.kind == "equal" else last.new_end
        return lo, max(lo, hi)

    def estimate(self, offset: int) -> int:
        """Where ``offset`` went: exact in an unchanged block, in proportion
        inside a changed one."""
        block = self._block(offset)
        if block is None:
            return 0
        old_len, new_len = block.old_end - block.old_start, block.new_end - block.new_start
        if block.kind == "equal" or not old_len:
            return block.new_start + min(offset - block.old_start, new_len)
        return block.new_start + (offset - block.old_start) * new_len // old_len


def _lines(text: str) -> tuple[list[str], list[int]]:
    lines = text.splitlines(keepends=True)
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line)
    offsets.append(at)
    return lines, offsets


def align(old: str, new: str) -> Alignment:
    """Line-level alignment of two texts (see the module's note on speed)."""
    a, a_at = _lines(old)
    b, b_at = _lines(new)
    blocks = [
        Block(tag, a_at[i1], a_at[i2], b_at[j1], b_at[j2])
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b).get_opcodes()
    ]
    return Alignment(blocks)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip().lower()


def similarity(a: str, b: str) -> float:
    """How alike two claims' texts are, 0 to 1 (difflib's ratio over characters,
    after the normalisation of fingerprints): "killed 12" and "killed 14" are
    0.89, two different sentences of one story about 0.3 to 0.5."""
    a, b = normalised(a), normalised(b)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return matcher.quick_ratio() / 2  # cheap bounds: surely not alike
    return matcher.ratio()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``old`` to ``new`` word by word: ("equal" | "delete" | "insert", text)
    pieces, whitespace kept with the words."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            _add(out, "equal", "".join(a[i1:i2]))
            continue
        _add(out, "delete", "".join(a[i1:i2]))
        _add(out, "insert", "".join(b[j1:j2]))
    return out


def _add(out: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))


@dataclass
class TextDiff:
    pieces: list[tuple[str, str]]  # ("equal" | "delete" | "insert" | "skip", text)
    truncated: bool  # the diff was cut at ``limit`` characters
    changed_blocks: int


def text_diff(old: str, new: str, *, context: int = 1, limit: int = 200_000) -> TextDiff:
    """The diff of two versions to show: changed lines diffed word by word (up to
    WORD_DIFF_MAX characters a block), ``context`` unchanged lines kept around
    each change and the rest skipped ("skip" pieces hold how many lines), at
    most ``limit`` characters of pieces."""
    a, a_at = _lines(old)
    b, _ = _lines(new)
    opcodes = SequenceMatcher(None, a, b).get_opcodes()
    pieces: list[tuple[str, str]] = []
    size, changed = 0, 0
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            part = _context(a[i1:i2], context, first=n == 0, last=n == len(opcodes) - 1)
        else:
            changed += 1
            was, now = "".join(a[i1:i2]), "".join(b[j1:j2])
            if len(was) <= WORD_DIFF_MAX and len(now) <= WORD_DIFF_MAX:
                part = word_diff(was, now)
            else:
                part = [(op, t) for op, t in (("delete", was), ("insert", now)) if t]
        for op, text in part:
            if op != "skip" and size + len(text) > limit:
                return TextDiff(pieces, True, changed)
            size += len(text)
            if op == "skip":
                pieces.append((op, text))
            else:
                _add(pieces, op, text)
    return TextDiff(pieces, False, changed)


def _context(lines: list[str], keep: int, *, first: bool, last: bool) -> list[tuple[str, str]]:
    """Unchanged lines: ``keep`` of them next to each change, the rest skipped."""
    head = [] if first else lines[:keep]
    tail = [] if last else lines[max(len(head), len(lines) - keep) :]
    skipped = len(lines) - len(head) - len(tail)
    out = [("equal", "".join(head))] if head else []
    if skipped:
        out.append(("skip", str(skipped)))
    if tail:
        out.append(("equal", "".join(tail)))
    return out
