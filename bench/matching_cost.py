"""What claim matching costs per article, the database's share included: the
in-process pipeline of bench/pipeline_profile.py over the texts of bench/pipeline.py
(copies of a few stories: matching's worst case), and around each matching call its
wall time, this process's CPU time and the CPU time of the PostgreSQL backend that
serves the connection (read from /proc: the server must run on this machine). On a
machine shared with other work the wall time varies with the load; the two CPU
times much less, and together they are the work matching asks of the machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_me \\
      .venv/bin/python bench/matching_cost.py --articles 40

Run from the root of the code to measure (it imports claims from the current
directory), so one copy of this script measures two versions alike. The database
must be migrated; its articles are emptied first and at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())


def backend_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) the backend process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=40)
    args = ap.parse_args()
    from bench.pipeline import embedded_setup

    embedded_setup()
    from django.db import connection

    from bench.pipeline import _empty, corpus
    from claims.models import Article
    from claims.services import article_ingest, pipeline

    spent = {"wall": 0.0, "cpu": 0.0, "db": 0.0, "statements": 0}
    matching = pipeline.claim_matches_find_safely

    def count(execute, sql, params, many, context):
        spent["statements"] += 1
        return execute(sql, params, many, context)

    def measured(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        wall, cpu, db = time.perf_counter(), time.process_time(), backend_cpu(pid)
        try:
            with connection.execute_wrapper(count):
                return matching(**kwargs)
        finally:
            spent["wall"] += time.perf_counter() - wall
            spent["cpu"] += time.process_time() - cpu
            spent["db"] += backend_cpu(pid) - db

    pipeline.claim_matches_find_safely = measured
    _empty(Article)
    for text in corpus(2, "warmup"):
        article_ingest(text=text)
    spent.update(wall=0.0, cpu=0.0, db=0.0, statements=0)
    started = time.perf_counter()
    for text in corpus(args.articles, "cost"):
        article_ingest(text=text)
    total = time.perf_counter() - started
    _empty(Article)
    n = args.articles
    print(
        f"matching per article: {1000 * spent['wall'] / n:.1f} ms wall, "
        f"{1000 * spent['cpu'] / n:.1f} ms CPU here + {1000 * spent['db'] / n:.1f} ms "
        f"PostgreSQL backend CPU = {1000 * (spent['cpu'] + spent['db']) / n:.1f} ms CPU, "
        f"{spent['statements'] / n:.1f} statements; whole pipeline {1000 * total / n:.0f} ms"
    )


if __name__ == "__main__":
    main()
