"""Articles per minute through the real pipeline (ingest -> Redis -> Celery worker
processes -> PostgreSQL) against the engine alone in one process.

    .venv/bin/python bench/pipeline.py                  # 40 articles, 1 and 2 worker processes
    .venv/bin/python bench/pipeline.py --articles 100 --workers 1 2 4

Needs PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432/postgres, a
role that may create databases) and Redis (BENCH_BROKER_URL, default
redis://127.0.0.1:6379/14: that Redis database is flushed). It creates a
throwaway database, tracker_bench, migrates it with `manage.py migrate`, and drops
it at the end.

The corpus is N distinct articles: the seed and the shared eval articles, each
copy with a unique last line so that content hashes differ. Each pipeline run
starts `celery -A tracker worker --concurrency=K` (K prefork processes), warms
every process up (spaCy loads once per process) and then times from the first
ingest until every article is analysed ("analysed": each ANALYZED or FAILED),
and on until the matching of their claims has finished too ("matched"). The
matching is its own task (match_claims, on the "default" queue), published as
each analysis commits; it has finished when the broker holds no task any more,
waiting or taken but unacknowledged (tasks are acknowledged when they end:
task_acks_late), seen twice in a row. The engine line runs
claims.analysis.analyze over the same texts in this process, after a warm-up.
"Overhead" is the pipeline's time per article on one worker process over the
engine's: what ingest, the queue, the database writes (and, "matched", the claim
matching) add. The workers take every queue (no -Q), as a one-machine deployment
does; with --split-queues each run has K processes on "analysis" and one more
worker process on "default" (and "celery"), as a deployment that separates them.
With --backlog the N articles are ingested first while the workers take nothing
from the analysis queue (Celery's cancel_consumer), and the clock starts when
they take from it again (add_consumer): what K workers do with a batch import's
backlog, without this process's ingest loop competing with them for the CPU.

The corpus is the worst case for matching: copies of three stories, every claim
matching a dozen others exactly. --polnear REPO (or BENCH_POLNEAR=REPO, which
bench/pipeline_profile.py and python -m bench read too) takes N distinct real
articles of PolNeAR's train split instead (2016 US election news from seven
publishers, fetched as ../shared/eval/realdata/README.md says, never committed):
news whose repeats are the ones real coverage has.

The machine's load average is printed before and after: on a shared machine the
figures mean little without it.

    BENCH_DB_NAME=tracker_bench_me BENCH_BROKER_URL=redis://127.0.0.1:6379/8 \
      .venv/bin/python bench/pipeline.py --articles 100 --workers 1 2 4
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SOURCES = [
    ROOT / "seeds" / "000_42d87ab533acdf14.txt",
    *sorted((ROOT.parent / "shared" / "eval" / "articles").glob("*.txt")),
]
# BENCH_DB_NAME and BENCH_BROKER_URL keep two benchmarks on one machine apart.
DB_NAME = os.environ.get("BENCH_DB_NAME", "tracker_bench")
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")


def corpus(n: int, tag: str) -> list[str]:
    """N texts. By default copies of the seed and the shared eval articles, each with
    a unique last line. With BENCH_POLNEAR (a PolNeAR mirror, as `fetch` leaves it:
    ../shared/eval/realdata/README.md) N distinct real articles of its train split
    instead: the same ones for the engine and every run, the warm-ups' from the
    split's other end."""
    if os.environ.get("BENCH_POLNEAR"):
        texts = polnear_texts(os.environ["BENCH_POLNEAR"])
        if tag.startswith("warmup"):
            texts = texts[::-1]
        if n > len(texts):
            raise SystemExit(f"PolNeAR's train split has {len(texts)} articles, not {n}")
        return [f"{t.strip()}\n\n(Benchmark copy {tag}-{i}.)\n" for i, t in enumerate(texts[:n])]
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    return [f"{texts[i % len(texts)].rstrip()}\n\n(Benchmark copy {tag}-{i}.)\n" for i in range(n)]


@functools.cache
def polnear_texts(repo: str, split: str = "train") -> list[str]:
    """Every article of a PolNeAR split, read from the mirror's git objects, in an
    order that mixes its seven publishers (the file names start with the publisher)."""
    git = ["git", "--git-dir", repo]
    folder = f"HEAD:data/{split}/text"
    listing = subprocess.run([*git, "ls-tree", "--name-only", folder], capture_output=True,
                             text=True, check=True).stdout.split()  # fmt: skip
    names = sorted(listing, key=lambda name: hashlib.sha256(name.encode()).hexdigest())
    return [
        subprocess.run(
            [*git, "show", f"{folder}/{name}"], capture_output=True, check=True
        ).stdout.decode("utf-8", errors="replace")
        for name in names
    ]


def embedded_setup() -> None:
    """Django set up in this process as the one-process benches run it: the embedded
    mode (tasks in-process) on the migrated PostgreSQL database DATABASE_URL names,
    the copies kept apart as articles (as main() does), a line per task not logged."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://... (a migrated database)")
    os.environ.pop("CELERY_BROKER_URL", None)  # the embedded mode: tasks in-process
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    os.environ["ARTICLE_VERSION_BODY_SIMILARITY"] = "1.0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def bench_db_url() -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def create_database(env: dict) -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def start_worker(
    env: dict, processes: int, log: Path, queues: str | None = None
) -> subprocess.Popen:
    only = ["-Q", queues] if queues else []
    name = f"bench{processes}{'-' + queues.replace(',', '-') if queues else ''}@%h"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [ROOT / ".venv" / "bin" / "celery", "-A", "tracker", "worker", "--loglevel=INFO",
             f"--concurrency={processes}", "-P", "prefork", "--without-mingle",
             "--without-gossip", "-n", name, *only],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def broker_idle() -> bool:
    """No task waiting on any queue of the Redis broker, nor taken and not yet
    acknowledged (kombu keeps those in its "unacked" hash until the ack, which
    task_acks_late sends when the task ends)."""
    import redis

    r = redis.Redis.from_url(BROKER)
    if r.hlen("unacked"):
        return False
    for queue in ("analysis", "default", "celery"):
        # kombu's Redis queues: the name, and the name with a priority suffix.
        if any(r.llen(key) for key in r.keys(f"{queue}*") if r.type(key) == b"list"):
            return False
    return True


def matching_wait(start: float, timeout: float) -> float:
    """Seconds from ``start`` until the broker has been idle twice, 0.1 s apart
    (a message moves from its queue to "unacked" in two steps)."""
    idle, since = 0, 0.0
    while idle < 2:
        now = time.perf_counter()
        if broker_idle():
            idle, since = idle + 1, since if idle else now
        else:
            idle = 0
        if now - start > timeout:
            raise SystemExit(f"tasks still on the broker after {timeout:.0f} s")
        time.sleep(0.1)
    return since - start


def ingest(texts: list[str]) -> list[int]:
    from claims.services import article_ingest

    ids = list(dict.fromkeys(article_ingest(text=t).article.pk for t in texts))
    if len(ids) < len(texts):
        raise SystemExit(f"{len(texts)} texts made {len(ids)} articles: not what is measured")
    return ids


def wait_done(ids: list[int], start: float, timeout: float) -> tuple[float, float, int]:
    """Seconds from ``start`` until every article is done (analysed), until their
    matching is done too (matched); failures."""
    from claims.models import AnalysisState, Article

    done_states = [AnalysisState.ANALYZED, AnalysisState.FAILED]
    while True:
        done = Article.objects.filter(pk__in=ids, state__in=done_states).count()
        if done == len(ids):
            break
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"only {done}/{len(ids)} articles done after {timeout:.0f} s")
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    matched = matching_wait(start, timeout)
    failed = Article.objects.filter(pk__in=ids, state=AnalysisState.FAILED).count()
    return elapsed, max(matched, elapsed), failed


def ingest_and_wait(texts: list[str], timeout: float) -> tuple[float, float, int]:
    """Seconds from the first ingest until every article is done (analysed), until
    their matching is done too (matched); failures."""
    start = time.perf_counter()
    return wait_done(ingest(texts), start, timeout)


def consuming(queue: str, on: bool, nodes: int) -> None:
    """Every worker stops (or starts again) taking tasks from ``queue``, through
    Celery's remote control; each of the ``nodes`` workers must answer."""
    from tracker.celery import app

    command = app.control.add_consumer if on else app.control.cancel_consumer
    replies = command(queue, reply=True, timeout=5)
    if len(replies) < nodes:
        raise SystemExit(f"{len(replies)} of {nodes} workers answered {command.__name__}")


def backlog_drain(texts: list[str], timeout: float, nodes: int) -> tuple[float, float, int]:
    """The articles are all ingested first while the workers take nothing from the
    analysis queue; the clock starts when they start taking again. What K workers do
    with a backlog (a batch import), without this process's ingest loop competing
    with them for the CPU."""
    consuming("analysis", False, nodes)
    try:
        ids = ingest(texts)
    finally:
        start = time.perf_counter()
        consuming("analysis", True, nodes)
    return wait_done(ids, start, timeout)


def run_pipeline(
    env: dict, processes: int, n: int, log_dir: Path, split: bool = False, backlog: bool = False
) -> dict:
    import redis

    from claims.models import Article

    redis.Redis.from_url(BROKER).flushdb()
    if split:
        workers = [
            start_worker(env, processes, log_dir / f"worker{processes}-analysis.log", "analysis"),
            start_worker(env, 1, log_dir / f"worker{processes}-default.log", "default,celery"),
        ]
    else:
        workers = [start_worker(env, processes, log_dir / f"worker{processes}.log")]
    try:
        ingest_and_wait(corpus(2 * processes, f"warmup{processes}"), timeout=300)
        texts = corpus(n, f"w{processes}")
        if backlog:
            elapsed, matched, failed = backlog_drain(texts, timeout=60 * n, nodes=len(workers))
        else:
            elapsed, matched, failed = ingest_and_wait(texts, timeout=60 * n)
    finally:
        for worker in workers:
            stop_worker(worker)
    _empty(Article)
    name = f"pipeline, {processes} worker process(es)" + (" + 1 on default" if split else "")
    name += ", backlog" if backlog else ""
    return {"name": name, "seconds": elapsed, "matched_seconds": matched, "failed": failed}


def _empty(root) -> None:
    """Empty the articles and everything hanging off them before the next run, as
    generate_corpus --clear does: the claims' history is append-only (PROTECT, and a
    trigger), so a row-by-row delete is refused once a claim has any (the copies
    match each other, and repetition raises their priority as recorded changes)."""
    from django.db import connection

    from claims.management.commands.generate_corpus import hanging_off

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in hanging_off(root))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")  # noqa: S608 (our own table names)


def run_engine(n: int) -> dict:
    from claims.analysis import analyze

    analyze(corpus(1, "warmup")[0])
    texts = corpus(n, "engine")
    start = time.perf_counter()
    for t in texts:
        analyze(t)
    return {"name": "engine alone, 1 process", "seconds": time.perf_counter() - start}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--split-queues",
        action="store_true",
        help="K processes on -Q analysis and 1 more on -Q default,celery (else no -Q)",
    )
    ap.add_argument(
        "--polnear",
        metavar="REPO",
        help="distinct real articles: a PolNeAR mirror's train split (sets BENCH_POLNEAR)",
    )
    ap.add_argument(
        "--backlog",
        action="store_true",
        help="ingest all N first with the analysis queue paused, then time the drain",
    )
    args = ap.parse_args()
    if args.polnear:
        os.environ["BENCH_POLNEAR"] = args.polnear

    # The texts are copies of a dozen stories with shifted figures, which the version
    # rule (claims.services.versions) rightly takes as updates of each other; asking
    # for every three-word phrase shared keeps them N distinct articles (as in
    # bench/ingest_folder.py). The rule's look-up still runs for each.
    env = {**os.environ, "DATABASE_URL": bench_db_url(), "CELERY_BROKER_URL": BROKER,
           "DJANGO_SETTINGS_MODULE": "tracker.settings",
           "ARTICLE_VERSION_BODY_SIMILARITY": "1.0"}  # fmt: skip
    os.environ.update(env)  # this process ingests into the same database and broker
    create_database(env)
    import django

    django.setup()
    from django.db import connections

    log_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    load_before = os.getloadavg()
    try:
        rows = [run_engine(args.articles)]
        rows += [
            run_pipeline(env, k, args.articles, log_dir, args.split_queues, args.backlog)
            for k in args.workers
        ]
    finally:
        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    report(rows, args.articles)
    print(f"load average (1, 5, 15 min): before {_load(load_before)}, after {_load()}")


def _load(values: tuple[float, ...] | None = None) -> str:
    return " ".join(f"{v:.2f}" for v in (values or os.getloadavg()))


def report(rows: list[dict], n: int) -> None:
    engine = rows[0]["seconds"] / n
    print(f"{os.cpu_count()} CPU(s)")
    print(f"{n} articles, {sum(len(t) for t in corpus(n, 'x')) // n} characters on average\n")
    print("analysed: every article ANALYZED or FAILED; matched: their claims' matching")
    print("finished too (the broker idle)\n")
    print(f"{'':57} {'seconds':>8} {'articles/min':>13} {'s/article':>10}")
    for r in rows:
        for label, key in (("analysed", "seconds"), ("matched", "matched_seconds")):
            if key not in r:
                continue
            per = r[key] / n
            name = r["name"] if key == "seconds" else ""
            label = label if "matched_seconds" in r else ""  # the engine's row
            failed = f"  ({r['failed']} failed)" if r.get("failed") and key == "seconds" else ""
            print(f"{name:48} {label:>8} {r[key]:8.1f} {60 / per:13.1f} {per:10.3f}{failed}")
    one = next((r for r in rows if "1 worker" in r["name"]), None)
    if one:
        print("\npipeline overhead (1 worker process / engine): "
              f"analysed {one['seconds'] / n / engine:.2f}x, "
              f"matched {one['matched_seconds'] / n / engine:.2f}x")  # fmt: skip
    two = next((r for r in rows if "2 worker" in r["name"]), None)
    if one and two:
        analysed = one["seconds"] / two["seconds"]
        matched = one["matched_seconds"] / two["matched_seconds"]
        print(f"speed-up from 1 to 2 worker processes: {analysed:.2f}x analysed, "
              f"{matched:.2f}x matched")  # fmt: skip


if __name__ == "__main__":
    main()
