"""What carrying claims over to a new version of a long article costs, and the diff
page's diff: the alignment, the matching (pipeline._match with its version steps)
and text_diff, on synthetic texts with one claim per sentence. No database: the
claims are unsaved rows.

    .venv/bin/python bench/versions.py                # 0.5 and 1 MB
    .venv/bin/python bench/versions.py --paragraphs 1800

Three updates of each text: a few sentences changed (every 20th paragraph) and one
removed; every paragraph changed by one word (the alignment finds no unchanged line,
so every claim is looked for by fingerprint and then by similarity); and for the
diff, the same two.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import types
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


def _texts(paragraphs: int, rng: random.Random):
    words = ["".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 9)))]
    words += [
        "".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 9)))
        for _ in range(8000)
    ]

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(12, 30))).capitalize() + "."

    return [[sentence() for _ in range(4)] for _ in range(paragraphs)]


def _build(paras) -> tuple[str, list[tuple[int, int, str]]]:
    spans, at = [], 0
    for p in paras:
        for s in p:
            spans.append((at, at + len(s), s))
            at += len(s) + 1
        at += 1  # no space after the last sentence; "\n\n" between paragraphs
    return "\n\n".join(" ".join(p) for p in paras), spans


def _few(paras):
    for k in range(0, len(paras), 20):
        paras[k][1] = paras[k][1].replace(" ", " x ", 1)
    del paras[5][2]
    return paras


def _every(paras):
    for p in paras:
        p[0] = p[0].replace(" ", " y ", 1)
    return paras


def run(label: str, paras, mutate) -> None:
    from claims.analysis.versions import text_diff
    from claims.domain import fingerprint
    from claims.models import Claim
    from claims.services import versions
    from claims.services.pipeline import _match

    old, old_spans = _build(paras)
    new, new_spans = _build(mutate([list(p) for p in paras]))
    current = [
        Claim(
            pk=i + 1, start=a, end=b, text=s, fingerprint=fingerprint(s), text_version=1,
            sentence_start=a, sentence_end=b,
        )
        for i, (a, b, s) in enumerate(old_spans)
    ]  # fmt: skip
    sentence = types.SimpleNamespace
    new_claims = [
        sentence(start=a, end=b, text=s, sentence=sentence(start=a, end=b)) for a, b, s in new_spans
    ]
    started = time.perf_counter()
    carry = versions.carry_build(version=2, text=new, claims=current, texts={1: old})
    aligned = time.perf_counter()
    matches = _match(current, set(), new_claims, version=2, carry=carry)
    matched = time.perf_counter()
    pairs = zip(matches, new_claims, strict=True)
    marks = Counter(str(versions.version_mark(carry, m, c.text)[0]) for m, c in pairs)
    diff_started = time.perf_counter()
    text_diff(old, new)
    diffed = time.perf_counter()
    print(
        f"{label}: {len(old) / 1e6:.2f} MB, {len(current)} claims: "
        f"align {aligned - started:.2f} s, match {matched - aligned:.2f} s, "
        f"diff page {diffed - diff_started:.2f} s; {dict(marks)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, nargs="+", default=[1000, 1800])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import django

    django.setup()
    for n in args.paragraphs:
        paras = _texts(n, random.Random(args.seed))
        run("a few sentences changed", paras, _few)
        run("every paragraph changed", paras, _every)


if __name__ == "__main__":
    main()
