"""Bulk import on the real services: a folder of N articles through
`manage.py ingest --wait` (PostgreSQL, Redis, Celery worker processes), in
articles per minute, then the same folder again, which must create nothing.

    .venv/bin/python bench/ingest_folder.py              # 1,000 articles, 2 worker processes
    .venv/bin/python bench/ingest_folder.py --articles 200 --workers 1

Needs PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432/postgres, a
role that may create databases) and Redis (BENCH_BROKER_URL, default
redis://127.0.0.1:6379/14: that Redis database is flushed). It creates a throwaway
database, BENCH_DB_NAME (default tracker_bench_ingest), migrates it, and drops it
at the end unless --keep.

The folder holds N distinct articles in nested day folders: the seed and the shared
eval articles, each copy with its figures shifted and a reporter's name of its own,
so that every content hash differs and the engine sees realistic text. The worker
(`celery -A tracker worker --concurrency=K`, every queue) is started and warmed up
(spaCy loads once per process) before the clock starts; the time is the command's
whole run: reading, ingest, the queue and every analysis. The command's own output
(one line per article when not on a terminal, a bar on one) is shown as it comes.

    BENCH_DB_NAME=tracker_bench_me BENCH_BROKER_URL=redis://127.0.0.1:6379/8 \
      .venv/bin/python bench/ingest_folder.py --articles 1000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import SOURCES, admin_sql, bench_db_url, start_worker, stop_worker  # noqa: E402

DB_NAME = os.environ.get("BENCH_DB_NAME", "tracker_bench_ingest")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
FIRST = ["Ana", "Tom", "Maria", "Sami", "Lena", "Omar", "Jo", "Priya", "Ivan", "Chen", "Ada"]
LAST = ["Ruiz", "Lee", "Okafor", "Berg", "Haddad", "Novak", "Smith", "Rao", "Kim", "Diaz"]
NUMBER = re.compile(r"\b\d{1,3}\b")  # counts and ages; years (4 digits) stay


def article(texts: list[str], i: int) -> str:
    """Copy i of one of the source articles: its small numbers shifted by i, a
    reporter's line with a name of its own (distinct text, realistic shape)."""
    text = NUMBER.sub(lambda m: str(int(m.group()) + i % 97 + 1), texts[i % len(texts)])
    name = f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]}"
    return f"{text.rstrip()}\n\nReporting by {name} ({i}); additional reporting by the desk.\n"


def write_folder(folder: Path, n: int) -> None:
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    for i in range(n):
        day = folder / f"day{i % 7}"
        day.mkdir(parents=True, exist_ok=True)
        (day / f"story{i:05d}.txt").write_text(article(texts, i), encoding="utf-8")


def run_ingest(env: dict, folder: Path, report: Path, timeout: float) -> tuple[float, dict]:
    """`manage.py ingest FOLDER --wait`, its output passed through; seconds and report."""
    command = [sys.executable, "manage.py", "ingest", str(folder), "--wait"]
    command += ["--timeout", str(timeout), "--report", str(report)]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start, json.loads(report.read_text())


def warm_up(env: dict, folder: Path, processes: int) -> None:
    """A few articles through the same path, so that every worker process has
    loaded spaCy before the clock starts; they are deleted afterwards."""
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    folder.mkdir()
    for i in range(2 * processes):
        (folder / f"warm{i}.txt").write_text(article(texts, 10_000 + i), encoding="utf-8")
    subprocess.run(
        [sys.executable, "manage.py", "ingest", str(folder), "--wait"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from claims.models import Article, ImportBatch; "
         "Article.objects.all().delete(); ImportBatch.objects.all().delete()"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (-c)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()

    url = bench_db_url().rsplit("/", 1)[0] + f"/{DB_NAME}"
    # The copies are the same dozen stories with shifted figures: the version rule
    # (claims.services.versions) rightly takes copy 14 as an update of copy 1. To
    # measure N distinct articles the rule asks for every three-word phrase shared
    # (no two copies do: their figures and reporter lines differ); its look-up and
    # comparison of candidates still run for every text, as in real use.
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": BROKER,
           "DJANGO_SETTINGS_MODULE": "tracker.settings",
           "ARTICLE_VERSION_BODY_SIMILARITY": "1.0"}  # fmt: skip
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        tmp_path = Path(tmp)
        folder = tmp_path / "articles"
        write_folder(folder, args.articles)
        worker = start_worker(env, args.workers, tmp_path / "worker.log")
        try:
            warm_up(env, tmp_path / "warm", args.workers)
            first = run_ingest(env, folder, tmp_path / "first.json", timeout=60 * args.articles)
            second = run_ingest(env, folder, tmp_path / "second.json", timeout=60)
        finally:
            stop_worker(worker)
            if not args.keep:
                admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    report(args, first, second, load_before)


def report(args, first: tuple[float, dict], second: tuple[float, dict], load_before) -> None:
    (seconds, one), (seconds2, two) = first, second
    analysis = one["analysis"] or {}
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    size = sum(len(article(texts, i)) for i in range(len(texts))) // len(texts)
    print(f"\n{os.cpu_count()} CPU(s); {args.workers} worker process(es); "
          f"{args.articles} articles of about {size:,} characters")  # fmt: skip
    print(f"first run:  {seconds:7.1f} s  created {one['created']}, duplicates "
          f"{one['duplicates']}, failed {one['failed']}; analysed {analysis.get('analysed')}, "
          f"analysis failed {analysis.get('failed')}")  # fmt: skip
    print(
        f"            {60 * one['created'] / seconds:7.1f} articles/min (read, ingested, analysed)"
    )
    print(f"second run: {seconds2:7.1f} s  created {two['created']}, duplicates "
          f"{two['duplicates']}, failed {two['failed']}")  # fmt: skip
    after = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average (1, 5, 15 min): before {' '.join(f'{v:.2f}' for v in load_before)}, "
          f"after {after}")  # fmt: skip
    if two["created"] != 0:
        raise SystemExit("the second run created articles: the import is not idempotent")


if __name__ == "__main__":
    main()
