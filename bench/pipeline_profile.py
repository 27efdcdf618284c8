"""Where an article's time goes in the pipeline, in one process, on PostgreSQL:
ingest (claims.services.articles) and the whole analysis task (analysis_run, with
claim matching), run in-process as the embedded mode runs them, over the texts of
bench/pipeline.py (the worst case for matching: copies of a dozen stories).

By default under cProfile: CPU time (process_time) per article of the main steps,
the SQL statements per article and the top functions (cProfile inflates code made
of many small calls, the re-ranker's most). --no-profile instead times the same
steps with plain wrappers, wall and CPU: the wall time includes the waits for
PostgreSQL (whose own CPU is another process).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_me \\
      .venv/bin/python bench/pipeline_profile.py --articles 40 [--top 25]
    ... bench/pipeline_profile.py --articles 40 --no-profile [--without-matching]

The database must be migrated; its articles (and everything hanging off them)
are emptied first and at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The steps reported: (label, the module whose global the caller looks up, the
# name there, the file that defines it, as cProfile names it).
STEPS = [
    ("ingest + analysis + matching", "claims.services", "article_ingest", "articles.py"),
    ("analysis_run (with matching)", "claims.services.pipeline", "analysis_run", "pipeline.py"),
    ("engine: extract", "claims.analysis", "extract", "analysis/pipeline.py"),
    ("engine: attribute", "claims.analysis", "attribute", "analysis/pipeline.py"),
    ("engine: tag_hedges", "claims.analysis", "tag_hedges", "analysis/pipeline.py"),
    ("save claims", "claims.services.pipeline", "_save_claims", "pipeline.py"),
    ("sources_resolve", "claims.services.pipeline", "sources_resolve", "sources.py"),
    ("version look-up", "claims.services.versions", "article_version_target", "versions.py"),
    ("claim matching", "claims.services.pipeline", "claim_matches_find_safely", "matching.py"),
    ("  tsqueries", "claims.services.matching", "claim_tsqueries", "matching.py"),
    ("  tsquery (one claim)", "claims.services.matching", "claim_tsquery", "matching.py"),
    ("  candidates (SQL)", "claims.services.matching", "claim_candidates", "matching.py"),
    (
        "  candidates, batched (SQL)",
        "claims.services.matching",
        "claim_candidates_many",
        "matching.py",
    ),
    ("  known matches", "claims.services.matching", "_known", "matching.py"),
    ("  re-ranker", "claims.analysis.similarity", "similarity", "similarity.py"),
    ("  matching_spans", "claims.analysis.similarity", "matching_spans", "similarity.py"),
    ("  repeats", "claims.services.matching", "claim_repeats_update", "matching.py"),
]


def _timed(times: dict, label: str, function):
    active: list[bool] = []  # a recursive call is counted once, at the outermost

    def timed(*args, **kwargs):
        if active:
            return function(*args, **kwargs)
        wall, cpu = time.perf_counter(), time.process_time()
        active.append(True)
        try:
            return function(*args, **kwargs)
        finally:
            active.pop()
            spent = times.setdefault(label, [0.0, 0.0])
            spent[0] += time.perf_counter() - wall
            spent[1] += time.process_time() - cpu

    return timed


def _wrap_steps(times: dict) -> None:
    """Plain timers around the steps (those called through a module global; a step
    the code does not have, an earlier version's or a later one's, is skipped)."""
    for label, module, name, _ in STEPS:
        target = importlib.import_module(module)
        if hasattr(target, name):
            setattr(target, name, _timed(times, label, getattr(target, name)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--dump", help="write the raw profile here (for pstats or snakeviz)")
    ap.add_argument(
        "--no-profile", action="store_true", help="times only (cProfile slows small calls)"
    )
    ap.add_argument(
        "--without-matching",
        action="store_true",
        help="the analysis alone (what an analysis worker does once matching is its own task)",
    )
    args = ap.parse_args()
    from bench.pipeline import embedded_setup

    embedded_setup()
    from django.db import connection

    from bench.pipeline import _empty, corpus
    from claims.models import Article
    from claims.services import article_ingest

    if args.without_matching:
        from claims.services import pipeline

        pipeline.claim_matches_find_safely = lambda **kwargs: 0
    _empty(Article)
    for text in corpus(2, "warmup"):  # spaCy, the statistics, the connection
        article_ingest(text=text)
    texts = corpus(args.articles, "profile")
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    profile = cProfile.Profile(time.process_time)
    wall, cpu = time.perf_counter(), time.process_time()
    times: dict[str, list[float]] = {}
    if args.no_profile:
        _wrap_steps(times)
        from claims.services import article_ingest  # the wrapped one
    with connection.execute_wrapper(count):
        if not args.no_profile:
            profile.enable()
        for text in texts:
            article_ingest(text=text)
        profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = args.articles
    print(f"{n} articles: {1000 * wall / n:.0f} ms wall, {1000 * cpu / n:.0f} ms CPU, "
          f"{queries[0] / n:.0f} SQL statements per article")  # fmt: skip
    if args.no_profile:
        print(f"\n{'ms per article':32} {'wall':>7} {'CPU':>7}")
        for label, *_ in STEPS:
            if label in times:
                spent_wall, spent_cpu = times[label]
                print(f"{label:32} {1000 * spent_wall / n:7.1f} {1000 * spent_cpu / n:7.1f}")
        _empty(Article)
        return
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile)
    print(f"\n{'CPU ms per article':32} {'cumulative':>10}")
    for label, _, func, path in STEPS:
        cum = sum(
            v[3] for (file, _, fn), v in stats.stats.items() if fn == func and file.endswith(path)
        )
        print(f"{label:32} {1000 * cum / n:10.1f}")
    print()
    stats.sort_stats("tottime").print_stats(args.top)
    _empty(Article)


if __name__ == "__main__":
    main()
