"""From the tokens a claim keeps to its span in the text.

A claim is built as a set of tokens of the parse (the clause, less its frame and
the clauses split off); these helpers turn that set into the contiguous
character span people see: no leading "that" or "and", no stranded closing
punctuation, quotation marks kept in pairs.
"""

from __future__ import annotations

QUOTE_CHARS = '"\u201c\u201d'
# Leading words that belong to the sentence's syntax, not to the proposition:
# "that" in "said that ...", "where" in "..., where government troops had ...".
LEADING_JUNK = {"that", "where", "which", "who", "whom", "whether", "and", "but", "or"}


def inside_quotes(text: str, sent_start: int, pos: int) -> bool:
    return sum(text.count(q, sent_start, pos) for q in '"') % 2 == 1 or (
        text.count("\u201c", sent_start, pos) > text.count("\u201d", sent_start, pos)
    )


def without_stranded_punct(doc, keep: set[int]) -> set[int]:
    """Closing punctuation that the parser hangs on the root stays with the
    root's claim only if no dropped words lie between: in 'Clinton mocked the
    complaint, saying anybody who complains "is not having a good night."' the
    final '."' belongs to the quotation, and the claim ends at "complaint"."""
    words = [i for i in keep if not doc[i].is_punct]
    if not words:
        return keep
    last = max(words)
    tail = [i for i in keep if i > last]
    if tail and any(k not in keep and not doc[k].is_punct for k in range(last + 1, max(tail))):
        return keep - set(tail)
    return keep


def trim(doc, idx: list[int], quoted: bool = False) -> tuple[int, int] | None:
    """First and last token of the claim: no leading "that"/"where"/"and" or
    punctuation, no trailing punctuation."""
    lo = 0
    while lo < len(idx):
        t = doc[idx[lo]]
        if (t.is_punct and t.text not in QUOTE_CHARS) or t.is_space:
            lo += 1
        elif _determiner_that(t) or (quoted and t.lower_ in ("but", "yet")):
            # Quoted words are kept as spoken: "... forward, but it is not yet a product"
            break
        elif t.lower_ in LEADING_JUNK and t.dep_ in (
            "mark",
            "cc",
            "nsubj",
            "advmod",
            "dobj",
            "pobj",
            "prep",
            "nsubjpass",
        ):
            if t.lower_ in ("who", "which") and t.dep_ not in (
                "nsubj",
                "nsubjpass",
                "dobj",
                "pobj",
            ):
                break
            lo += 1
        else:
            break
    hi = len(idx) - 1
    while hi >= lo:
        t = doc[idx[hi]]
        if t.is_punct and t.text not in QUOTE_CHARS or t.is_space or t.dep_ == "cc":
            hi -= 1
        else:
            break
    if hi < lo:
        return None
    # A claim is contiguous: tokens dropped from its middle (a parenthetical
    # frame) are spanned over; the ends are what matter.
    return idx[lo], idx[hi]


def _determiner_that(tok) -> bool:
    """ "said that timeline was too optimistic": a bare singular noun needs a
    determiner, so this "that" is one, whatever the parser says."""
    if tok.lower_ != "that" or tok.i + 1 >= len(tok.doc):
        return False
    nxt = tok.doc[tok.i + 1]
    return (
        nxt.tag_ == "NN"
        and nxt.dep_ in ("nsubj", "nsubjpass")
        and not any(c.dep_ in ("det", "poss") for c in nxt.children)
    )


def balance_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """Keep quotation marks paired inside a claim where the text allows it."""
    span = text[start:end]
    straight = span.count('"')
    curly_open, curly_close = span.count("\u201c"), span.count("\u201d")
    if straight % 2 == 0 and curly_open == curly_close:
        return start, end
    opens_unclosed = (straight % 2 == 1 and span[:1] == '"') or (
        span[:1] == "\u201c" and curly_open > curly_close
    )
    if opens_unclosed:
        start += 1
        while start < end and text[start].isspace():
            start += 1
        return start, end
    tail = text[end : end + 3]
    for n in (1, 2):
        piece = tail[:n]
        if piece and piece[-1] in QUOTE_CHARS and all(ch in ',.;:!?"\u201d' for ch in piece):
            return start, end + n
    if span[-1:] in QUOTE_CHARS:
        return start, end - 1
    return start, end
