"""Where an article's time goes in the pipeline, in one process, on PostgreSQL:
ingest (claims.services.articles) and the whole analysis task (analysis_run, with
claim matching), run in-process as the embedded mode runs them, under cProfile,
over the texts of bench/pipeline.py. CPU time (process_time) per article for the
main steps, the SQL statements per article and the top functions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_me \\
      .venv/bin/python bench/pipeline_profile.py --articles 40 [--top 25]

The database must be migrated; its articles (and everything hanging off them)
are emptied first. The time includes PostgreSQL's wait only as wall time (the
"wall" column): the server's own CPU is another process.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The steps reported, by (file suffix, function name) as cProfile names them.
STEPS = [
    ("ingest + analysis + matching", "claims/services/articles.py", "article_ingest"),
    ("engine: extract", "claims/analysis/pipeline.py", "extract"),
    ("engine: attribute", "claims/analysis/pipeline.py", "attribute"),
    ("engine: tag_hedges", "claims/analysis/pipeline.py", "tag_hedges"),
    ("save claims", "claims/services/pipeline.py", "_save_claims"),
    ("sources_resolve", "claims/services/sources.py", "sources_resolve"),
    ("webhooks_article_finished", "claims/services/webhooks.py", "webhooks_article_finished"),
    ("claim matching", "claims/services/matching.py", "claim_matches_find"),
    ("  tsqueries", "claims/services/matching.py", "claim_tsqueries"),
    ("  tsquery (one claim)", "claims/services/matching.py", "claim_tsquery"),
    ("  candidates (SQL)", "claims/services/matching.py", "claim_candidates"),
    ("  re-ranker", "claims/analysis/similarity.py", "similarity"),
    ("  matching_spans", "claims/analysis/similarity.py", "matching_spans"),
    ("  repeats", "claims/services/matching.py", "claim_repeats_update"),
    ("version look-up", "claims/services/versions.py", "article_version_target"),
]


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
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://... (a migrated database)")
    os.environ.pop("CELERY_BROKER_URL", None)  # the embedded mode: tasks in-process
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    os.environ["ARTICLE_VERSION_BODY_SIMILARITY"] = "1.0"  # as bench/pipeline.py
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per task
    import django

    django.setup()
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
        _empty(Article)
        return
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile)
    print(f"\n{'CPU ms per article':32} {'cumulative':>10}")
    for name, path, func in STEPS:
        cum = sum(
            v[3] for (file, _, fn), v in stats.stats.items() if fn == func and file.endswith(path)
        )
        print(f"{name:32} {1000 * cum / n:10.1f}")
    print()
    stats.sort_stats("tottime").print_stats(args.top)
    _empty(Article)


if __name__ == "__main__":
    main()
