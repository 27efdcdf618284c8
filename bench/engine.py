"""Throughput and memory of the analysis engine against spaCy alone.

    python bench/engine.py                # corpus of the seed and the gold articles, ~20k words
    python bench/engine.py --words 50000
    python bench/engine.py --big-mb 2     # peak memory on one 2 MB article

The limit for this design is the parser: ``nlp.pipe`` with the same pipeline over
the same text. The engine's own work (segmenting, splitting, attribution, hedges,
scoring) is what it adds on top. Each measurement runs in a fresh process so that
peak RSS belongs to it alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SOURCES = [
    ROOT / "seeds" / "000_42d87ab533acdf14.txt",
    *sorted((ROOT.parent / "shared" / "eval" / "articles").glob("*.txt")),
    *sorted((ROOT / "tests" / "analysis" / "dev_articles").glob("*.txt")),
]


def corpus(words: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    out, count = [], 0
    while count < words:
        for t in texts:
            out.append(t)
            count += len(t.split())
    return out


def big_article(mb: float) -> str:
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    head, body = texts[0].split("\n\n", 1)
    parts = [head + "\n\n"]
    size = len(parts[0])
    while size < mb * 1024 * 1024:
        for t in texts:
            chunk = t.split("\n\n", 1)[-1] + "\n\n"
            parts.append(chunk)
            size += len(chunk)
    return "".join(parts)


def measure(mode: str, words: int, big_mb: float) -> dict:
    from claims.analysis import analyze
    from claims.analysis.nlp import get_nlp

    nlp = get_nlp()
    texts = [big_article(big_mb)] if big_mb else corpus(words)
    n_words = sum(len(t.split()) for t in texts)
    analyze("Warm up. Officials said the warm-up worked.")  # load lexicons and model
    start, cpu_start = time.perf_counter(), time.process_time()
    if mode == "engine":
        claims = sum(len(analyze(t).claims) for t in texts)
    else:
        # spaCy alone: the same pipeline over the same text, paragraph by
        # paragraph as nlp.pipe is meant to be fed.
        paragraphs = (p for t in texts for p in t.split("\n\n") if p.strip())
        claims = sum(1 for _ in nlp.pipe(paragraphs, batch_size=64))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "words": n_words, "seconds": round(elapsed, 2),
            "words_per_second": round(n_words / elapsed), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(peak_kb / 1024), "items": claims}  # fmt: skip


def ratios(spacy_run: dict, engine_run: dict) -> tuple[float, float]:
    """The engine's throughput over spaCy's, by the clock and by the process's own
    CPU time. On a shared machine the second is the steadier: the two runs are
    sequential, and work of other processes during one of them slows its clock
    time far more than its CPU time."""
    wall = engine_run["words_per_second"] / spacy_run["words_per_second"]
    cpu = spacy_run["cpu_seconds"] / engine_run["cpu_seconds"]
    return wall, cpu


def run_child(mode: str, words: int, big_mb: float) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--words",
        str(words),
        "--big-mb",
        str(big_mb),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--words", type=int, default=20000)
    ap.add_argument("--big-mb", type=float, default=0.0)
    ap.add_argument("--child", choices=["engine", "spacy"])
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.words, args.big_mb)))
        return
    spacy_run = run_child("spacy", args.words, args.big_mb)
    engine_run = run_child("engine", args.words, args.big_mb)
    for r in (spacy_run, engine_run):
        print(f"{r['mode']:<7} {r['words']:>8} words  {r['seconds']:>7.2f} s  "
              f"{r['words_per_second']:>7} words/s  peak RSS {r['peak_rss_mb']} MB")  # fmt: skip
    wall, cpu = ratios(spacy_run, engine_run)
    print(f"engine / spaCy throughput: {wall:.2f} by the clock, {cpu:.2f} by CPU time")


if __name__ == "__main__":
    main()
