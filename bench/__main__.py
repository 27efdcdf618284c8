"""python -m bench: the tracker's performance in one run (issue 12), as a table and JSON.

    .venv/bin/python -m bench                           # every section, sizes 10k,100k,1M
    .venv/bin/python -m bench --scale --sizes 10k,100k  # only the claim-list section
    .venv/bin/python -m bench --engine --words 5000 --rss-articles 20,100
    .venv/bin/python -m bench --load --sizes 100k --duration 20

Sections (all of them when none is chosen):

--engine    engine words/s against spaCy's nlp.pipe on the same text (bench/engine.py),
            and the RSS of a process that analyses article after article (what a
            worker process does) after 100 and 1,000 articles.
--pipeline  articles/min through the real pipeline on 1, 2 and 4 worker processes
            against the engine alone (bench/pipeline.py, its database renamed
            to BENCH_DB_NAME_pipeline and its Redis database BENCH_BROKER_URL);
            with --backlog the articles are all ingested first and the clock
            times the workers' drain (a batch import).
--scale     for each size: p50/p99 of every claim-list filter, full-text search,
            5 cursor pages deep, the queue, the overview, the admin changelist and
            the CSV export (time, bytes and the largest gunicorn worker RSS), and each
            p50's ratio to the smallest size's.
--long-article  with --scale, at the largest size: the queue, the API list and the
            article page with one article at the 1 MB ingest limit added to the corpus,
            against the same requests before it (issue 12's long-article targets).
--load      at the largest size: requests/s and p50/p99 under --connections
            keep-alive connections for --duration s against gunicorn with 2 workers,
            for the API list, the dashboard queue, a bare JsonResponse view of the
            same rows (as the issue defined it; on the API's own index with 13
            columns; and on that index with the columns the API's document shows)
            and a bare WSGI app (bench/server.py); then the API and the two indexed
            bare views alternated, --rounds rounds of --round-seconds, and the
            median ratio against each.

--scale and --load use a private PostgreSQL database, BENCH_DB_NAME (default
tracker_bench_<worktree directory>), on the server of PG_URL (a role that may create
databases; default postgres://postgres@127.0.0.1:5432/postgres). It is created,
migrated and filled with `manage.py generate_corpus` up to each size in turn, and
dropped at the end unless --keep. Dashboard and admin pages are asked for with the
demo user editor's session (logged in through the login page), the API with an API
token of the same user. The workers share a cache, as deployed: BENCH_CACHE_URL
(default BENCH_BROKER_URL's Redis database; empty for a cache per process). The
load generator is Python threads with http.client keep-alive connections (no wrk
needed), so the bare WSGI figure is partly the client's own limit on a small machine.

Results go to bench/results/<timestamp>.json (gitignored).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "tracker_bench_" + re.sub(r"\W", "_", ROOT.name.lower()))
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
# The gunicorn workers' cache, shared as the README's deployment shares it (CACHE_URL):
# with a per-process cache each worker counted a large filter's matches on its first
# request for it (0.4-0.7 s at 1M claims), and that request was the p99.
# BENCH_CACHE_URL= (empty) gives each worker its own, as before.
CACHE = os.environ.get("BENCH_CACHE_URL", BROKER)
PY = sys.executable


def parse_size(s: str) -> int:
    s = s.strip().lower()
    mult = {"k": 1000, "m": 1_000_000}.get(s[-1:], 1)
    return int(float(s.rstrip("km")) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- section 1: the engine ---------------------------------------------------------


def child_rss(counts: list[int]) -> None:
    """In a fresh process: analyse articles one after the other, RSS at each count."""
    from bench import engine
    from claims.analysis import analyze

    texts = [p.read_text(encoding="utf-8") for p in engine.SOURCES if p.exists()]
    out, done = {}, 0
    for target in sorted(counts):
        while done < target:
            analyze(f"{texts[done % len(texts)]}\n\n(Copy {done}.)\n")
            done += 1
        out[str(target)] = rss_mb(os.getpid())
    print(json.dumps(out))


def section_engine(args) -> dict:
    from bench import engine

    spacy_run = engine.run_child("spacy", args.words, 0.0)
    engine_run = engine.run_child("engine", args.words, 0.0)
    counts = [int(x) for x in args.rss_articles.split(",")]
    out = subprocess.run(
        [PY, "-m", "bench", "--child-rss", args.rss_articles], cwd=ROOT, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    rss = json.loads(out.stdout.strip().splitlines()[-1])
    ratio, cpu_ratio = engine.ratios(spacy_run, engine_run)
    result = {
        "spacy": spacy_run,
        "engine": engine_run,
        "engine_over_spacy": round(ratio, 3),
        "engine_over_spacy_cpu": round(cpu_ratio, 3),
        "rss_mb_after_articles": rss,
    }
    print("\n== 1. Engine against spaCy's nlp.pipe ==")
    for r in (spacy_run, engine_run):
        print(f"  {r['mode']:<7} {r['words']:>8} words {r['seconds']:>7.2f} s "
              f"({r['cpu_seconds']:.2f} s CPU) {r['words_per_second']:>7} words/s  "
              f"peak RSS {r['peak_rss_mb']} MB")  # fmt: skip
    print(f"  engine / spaCy: {ratio:.2f}x by the clock, {cpu_ratio:.2f}x by CPU time")
    print("  analysing process RSS: " + ", ".join(f"{rss[str(c)]} MB after {c}" for c in counts))
    return result


# --- section 2: the pipeline -------------------------------------------------------

# bench/pipeline.py as it is, with a private database and Redis database, and its
# rows returned as JSON instead of its table.
_PIPELINE = """
import json, sys
sys.path.insert(0, {root!r})
from bench import pipeline as p
p.DB_NAME = {db!r}
p.BROKER = {broker!r}
p.report = lambda rows, n: print("ROWS " + json.dumps(rows))
sys.argv = ["pipeline", "--articles", {n!r}, "--workers", *{workers!r}, *{flags!r}]
p.main()
"""


def section_pipeline(args) -> dict:
    code = _PIPELINE.format(
        root=str(ROOT),
        db=f"{DB_NAME}_pipeline",
        broker=BROKER,
        n=str(args.pipeline_articles),
        workers=[str(w) for w in args.workers],
        flags=[
            *(["--split-queues"] if args.split_queues else []),
            *(["--backlog"] if args.backlog else []),
        ],
    )
    env = {**os.environ, "BENCH_BROKER_URL": BROKER, "PG_URL": PG_URL}
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("ROWS ")), None)
    if out.returncode or line is None:
        print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
        raise SystemExit("the pipeline benchmark failed")
    rows = json.loads(line[5:])
    n = args.pipeline_articles
    for r in rows:
        r["articles_per_min"] = round(60 * n / r["seconds"], 1)
        if "matched_seconds" in r:  # the claims' matching (its own task) finished too
            r["matched_articles_per_min"] = round(60 * n / r["matched_seconds"], 1)
    engine = rows[0]["articles_per_min"]
    one = next((r for r in rows if r["name"].startswith("pipeline, 1 ")), None)
    print(f"\n== 2. Pipeline ({n} articles) against the engine alone ==")
    print("  analysed: every article ANALYZED or FAILED; matched: their matching done too")
    for r in rows:
        failed = f"  ({r['failed']} failed)" if r.get("failed") else ""
        if r is rows[0]:
            print(f"  {r['name']:<48} {r['articles_per_min']:>8.1f} articles/min")
            continue
        figures = (("analysed", "articles_per_min"), ("matched", "matched_articles_per_min"))
        for label, key in figures:
            vs = f"  {engine / r[key]:.2f}x the engine's time"
            speed = f", {r[key] / one[key]:.2f}x 1 worker" if one else ""
            name = r["name"] if label == "analysed" else ""
            print(f"  {name:<48} {label:>8} {r[key]:>8.1f} articles/min{vs}{speed}{failed}")
            failed = ""
    return {"articles": n, "rows": rows}


# --- HTTP --------------------------------------------------------------------------


class Client:
    """One keep-alive connection."""

    def __init__(self, port: int, headers: dict | None = None, timeout: float = 300) -> None:
        self.port, self.headers, self.timeout = port, headers or {}, timeout
        self.conn = None

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes, float, dict]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            start = time.perf_counter()
            try:
                self.conn.request("GET", path, headers={**self.headers, **(headers or {})})
                resp = self.conn.getresponse()
                body = resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - start
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return resp.status, body, elapsed, dict(resp.getheaders())
        raise AssertionError


class Server:
    """gunicorn with 2 sync workers serving bench.server:application."""

    def __init__(self, env: dict, log: Path, workers: int = 2) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [ROOT / ".venv" / "bin" / "gunicorn", "bench.server:application", "-w",
                 str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "300"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if Client(self.port, timeout=5).get("/bench/wsgi/")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in children.split()]

    def max_worker_rss(self) -> float:
        return max((rss_mb(p) for p in self.worker_pids()), default=0.0)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def login(port: int, username: str, password: str) -> dict:
    """A session cookie for the dashboard and the admin, through the login page."""
    c = Client(port)
    status, body, _, headers = c.get("/accounts/login/")
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"username": username, "password": password,
                      "csrfmiddlewaretoken": token, "next": "/"})  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(cookies),
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})  # fmt: skip
    resp = conn.getresponse()
    resp.read()
    cookies.update(_cookies(dict(resp.getheaders()), resp.msg.get_all("Set-Cookie") or []))
    if resp.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login as {username} failed: HTTP {resp.status}")
    return {"Cookie": _cookie_header(cookies)}


def _cookies(headers: dict, all_set: list[str] | None = None) -> dict:
    out = {}
    for raw in all_set or [headers.get("Set-Cookie", "")]:
        for part in re.findall(r"(?:^|,\s*)(\w+)=([^;]*)", raw):
            if part[0] in ("csrftoken", "sessionid"):
                out[part[0]] = part[1]
    return out


def _cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- the private database ----------------------------------------------------------


def db_url(name: str) -> str:
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def db_query(sql: str):
    import psycopg

    with psycopg.connect(db_url(DB_NAME)) as conn:
        return conn.execute(sql).fetchall()


def manage(env: dict, *argv: str) -> str:
    out = subprocess.run([PY, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True,
                         text=True)  # fmt: skip
    if out.returncode:
        raise SystemExit(f"manage.py {' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


# --- sections 3 and 4 --------------------------------------------------------------

API = "/api/v1/claims/"
LOAD_FILTER = "confidence_level=low&status=unstarted"


def requests_for(article_id: int) -> list[tuple[str, str, str]]:
    """(name, path, who): every claim-list filter, search, the pages. who is api,
    session (dashboard and admin) or none."""
    filters = [
        "", "confidence_level=low", "confidence_level=very_low", "status=unstarted",
        LOAD_FILTER, "status=false", "source_type=unnamed", "sourcing_strength=weak",
        "hedge_category=approximator", "source_type=unnamed&hedge_category=approximator",
        "assignee=none", "assignee=checker", "kind=quantity", f"article={article_id}",
        "ordering=-checkworthiness", "q=council", "q=hospital%20beds",
    ]  # fmt: skip
    out = [(f"api ?{f}" if f else "api (no filter)", f"{API}?{f}", "api") for f in filters]
    out[filters.index(f"article={article_id}")] = (
        "api ?article=<mid>",
        f"{API}?article={article_id}",
        "api",
    )
    out += [
        ("api 5 cursor pages, -checkworthiness", "CURSOR5", "api"),
        ("queue /", "/", "session"),
        ("queue ?confidence_level=low", "/?confidence_level=low", "session"),
        ("queue ?q=council", "/?q=council", "session"),
        ("overview /overview/", "/overview/", "session"),
        ("article page /articles/<mid>/", f"/articles/{article_id}/", "session"),
        ("admin changelist", "/admin/claims/claim/", "session"),
        ("csv export ?status=false", "/api/v1/claims/export.csv?status=false", "api"),
    ]
    return out


def time_request(client: Client, path: str) -> tuple[float, int, int]:
    """Seconds, status, bytes; CURSOR5 follows the API's next link five times."""
    if path != "CURSOR5":
        status, body, elapsed, _ = client.get(path)
        return elapsed, status, len(body)
    path, total, size = f"{API}?ordering=-checkworthiness", 0.0, 0
    for _ in range(5):
        status, body, elapsed, _ = client.get(path)
        total += elapsed
        size += len(body)
        nxt = json.loads(body).get("next") if status == 200 else None
        if not nxt:
            break
        parts = urlsplit(nxt)
        path = f"{parts.path}?{parts.query}"
    return total, status, size


def measure_size(server: Server, auth: dict, article_id: int, repeat: int) -> dict:
    out = {}
    for name, path, who in requests_for(article_id):
        heavy = name.startswith(("csv", "admin"))
        n = max(3, repeat // 6) if heavy else repeat
        client = Client(server.port, auth.get(who))
        time_request(client, path)  # warm up
        times, statuses, size = [], set(), 0
        for _ in range(n):
            t, status, size = time_request(client, path)
            times.append(t)
            statuses.add(status)
        out[name] = {"p50": statistics.median(times), "p99": pct(times, 99), "n": n,
                     "status": sorted(statuses), "bytes": size,
                     "server_rss_mb": server.max_worker_rss()}  # fmt: skip
        bad = "" if statuses == {200} else f"  HTTP {sorted(statuses)}"
        print(f"    {name:<58} p50 {ms(out[name]['p50']):>9}  p99 {ms(out[name]['p99']):>9}  "
              f"{size / 1024:>8.0f} KB  RSS {out[name]['server_rss_mb']:>4.0f} MB{bad}",
              flush=True)  # fmt: skip
    return out


def load(port: int, path: str, headers: dict | None, connections: int, duration: float) -> dict:
    times: list[float] = []
    errors = [0]
    stop = time.perf_counter() + duration
    lock = threading.Lock()

    def run():
        client, mine, bad = Client(port, headers, timeout=60), [], 0
        while time.perf_counter() < stop:
            try:
                status, _, elapsed, _ = client.get(path)
            except (http.client.HTTPException, OSError):
                bad += 1
                continue
            if status != 200:
                bad += 1
            mine.append(elapsed)
        with lock:
            times.extend(mine)
            errors[0] += bad

    Client(port, headers).get(path)  # warm up
    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"requests": len(times), "errors": errors[0], "rps": round(len(times) / wall, 1),
            "p50": statistics.median(times) if times else None,
            "p99": pct(times, 99) if times else None}  # fmt: skip


def section_load(server: Server, auth: dict, args) -> dict:
    targets = [
        (f"API {API}?{LOAD_FILTER}", f"{API}?{LOAD_FILTER}", auth["api"]),
        ("dashboard queue /?confidence_level=low", "/?confidence_level=low", auth["session"]),
        (f"bare JsonResponse /bench/json/?{LOAD_FILTER}", f"/bench/json/?{LOAD_FILTER}", None),
        (f"  the same, on the API's index /bench/json-indexed/?{LOAD_FILTER}",
         f"/bench/json-indexed/?{LOAD_FILTER}", None),
        (f"  and the document's columns /bench/json-document/?{LOAD_FILTER}",
         f"/bench/json-document/?{LOAD_FILTER}", None),
        ("bare WSGI app /bench/wsgi/", "/bench/wsgi/", None),
    ]  # fmt: skip
    out = {}
    for name, path, headers in targets:
        out[name] = r = load(server.port, path, headers, args.connections, args.duration)
        print(f"    {name:<66} {r['rps']:>8.1f} req/s  p50 {ms(r['p50'] or 0):>9}  "
              f"p99 {ms(r['p99'] or 0):>9}  errors {r['errors']}", flush=True)  # fmt: skip
    api = out[targets[0][0]]["rps"]
    bare, indexed, document = (out[targets[i][0]]["rps"] for i in (2, 3, 4))
    if bare and indexed and document:
        print(
            f"    API / bare JsonResponse: {api / bare:.2f}x (the issue's view), "
            f"{api / indexed:.2f}x (on the API's index), "
            f"{api / document:.2f}x (the document's columns)"
        )
    if args.rounds:
        out["alternated"] = alternated(
            server, auth, args, targets[0][1], {"indexed": targets[3][1], "document": targets[4][1]}
        )
    return out


def alternated(server: Server, auth: dict, args, api_path: str, bare_paths: dict) -> dict:
    """The API against the bare views on its index (13 columns, and the columns of its
    document) in alternated short rounds: on a shared machine whose speed drifts by
    half within a minute, one 20 s run of each compares two machines; the median of
    the rounds' ratios compares the views."""
    rounds = []
    for _ in range(args.rounds):
        api = load(server.port, api_path, auth["api"], args.connections, args.round_seconds)
        one = {"api_rps": api["rps"]}
        for name, path in bare_paths.items():
            bare = load(server.port, path, None, args.connections, args.round_seconds)
            one[f"{name}_rps"] = bare["rps"]
        rounds.append(one)
    out: dict = {"rounds": rounds}
    for name in bare_paths:
        ratios = [r["api_rps"] / r[f"{name}_rps"] for r in rounds if r[f"{name}_rps"]]
        median = statistics.median(ratios) if ratios else None
        out[f"median_ratio_{name}"] = median
        each = ", ".join(f"{x:.2f}" for x in ratios)
        print(
            f"    API / the bare view ({name}), {args.rounds} alternated rounds of "
            f"{args.round_seconds:.0f} s: median {median or 0:.2f}x ({each})",
            flush=True,
        )
    out["median_ratio"] = out["median_ratio_indexed"]  # the name earlier results used
    return out


LONG_REQUESTS = [
    ("queue /", "/", "session"),
    ("queue ?confidence_level=very_low", "/?confidence_level=very_low", "session"),
    ("api (no filter)", API, "api"),
]


def section_long(server: Server, auth: dict, env: dict, args) -> dict:
    """The long-article targets: the queue, the API list and the article page with
    an article at the ingest limit (--long-kb) in the corpus, each against the same
    request before it was added."""

    def measure(requests) -> dict:
        out = {}
        for name, path, who in requests:
            client = Client(server.port, auth.get(who))
            time_request(client, path)  # warm up
            times = [time_request(client, path)[0] for _ in range(args.repeat)]
            out[name] = {"p50": statistics.median(times), "p99": pct(times, 99)}
        return out

    before = measure(LONG_REQUESTS)
    printed = manage(env, "generate_corpus", "--claims", "0", "--big-article-kb", str(args.long_kb))
    big, kb, n = re.search(r"long article (\d+): (\d+) KB, (\d+) claims", printed).groups()
    after = measure(
        [*LONG_REQUESTS, ("article page (long)", f"/articles/{big}/", "session"),
         ("api ?article=<long>", f"{API}?article={big}", "api")]
    )  # fmt: skip
    print(f"  -- long article: {kb} KB, {n} claims (article {big})", flush=True)
    for name, r in after.items():
        ratio = f"{r['p50'] / before[name]['p50']:.2f}x without it" if name in before else ""
        print(f"    {name:<58} p50 {ms(r['p50']):>9}  p99 {ms(r['p99']):>9}  {ratio}", flush=True)
    return {"kb": int(kb), "claims": int(n), "article": int(big), "before": before, "after": after}


def sections_http(args, want_scale: bool, want_load: bool, result: dict) -> None:
    """Fills result["scale"] and result["load"] as it goes."""
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    password = "bench-" + secrets.token_urlsafe(12)
    env = {**os.environ, "DATABASE_URL": db_url(DB_NAME), "DJANGO_SETTINGS_MODULE":
           "tracker.settings", "DEMO_PASSWORD": password, "DJANGO_ENV": "development",
           "API_THROTTLE_USER": "10000000/min", "API_THROTTLE_ANON": "10000000/min",
           "CELERY_BROKER_URL": BROKER, "CACHE_URL": CACHE}  # fmt: skip
    env.pop("DJANGO_DEBUG", None)
    if not args.existing:
        admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin_sql(f"CREATE DATABASE {DB_NAME}")
    scale, have = result["scale"], 0
    log_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    try:
        manage(env, "migrate", "-v", "0")
        manage(env, "create_demo_users")
        key = manage(env, "create_api_token", "editor").strip().splitlines()[-1]
        if args.existing:  # measure the kept database as it is, at its own size
            sizes = [db_query("SELECT count(*) FROM claims_claim")[0][0]]
            have = sizes[0]
        for i, size in enumerate(sizes):
            started = time.perf_counter()
            if not args.existing:
                manage(env, "generate_corpus", "--claims", str(size - have), "--seed", str(i + 1))
            gen_s = time.perf_counter() - started
            have = size
            print(f"\n== {label(size)} claims (generated {size - (sizes[i - 1] if i else 0)} "
                  f"in {gen_s:.1f} s; load {uptime()}) ==", flush=True)  # fmt: skip
            server = Server(env, log_dir / f"bench-gunicorn-{DB_NAME}.log")
            try:
                auth = {
                    "api": {"Authorization": f"Token {key}"},
                    "session": login(server.port, "editor", password),
                    "none": None,
                }
                (mid,) = db_query(
                    "SELECT id FROM claims_article ORDER BY id "
                    "OFFSET (SELECT count(*) / 2 FROM claims_article) LIMIT 1"
                )[0]
                if want_scale:
                    print("  -- 4. requests, sequential", flush=True)
                    scale[label(size)] = {
                        "generate_seconds": round(gen_s, 1),
                        "requests": measure_size(server, auth, mid, args.repeat),
                    }
                if args.long_article and size == sizes[-1]:
                    result["long_article"] = section_long(server, auth, env, args)
                if want_load and size == sizes[-1]:
                    print(f"  -- 3. {args.connections} connections, {args.duration:.0f} s each, "
                          "gunicorn 2 sync workers", flush=True)  # fmt: skip
                    result["load"] = {"size": label(size), **section_load(server, auth, args)}
            finally:
                server.stop()
    finally:
        if args.keep or args.existing:
            print(f"\nkept database {DB_NAME}")
        else:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if len(scale) > 1:
        growth_table(scale)


def growth_table(scale: dict) -> None:
    labels = list(scale)
    first = scale[labels[0]]["requests"]
    print("\n== 4. p50 growth (ratio to the smallest size) ==")
    print(f"  {'request':<58}" + "".join(f"{x:>16}" for x in labels))
    for name in first:
        cells = []
        for x in labels:
            r = scale[x]["requests"].get(name)
            if r is None:
                cells.append("-")
                continue
            ratio = r["p50"] / first[name]["p50"] if first[name]["p50"] else 0
            r["p50_ratio"] = round(ratio, 2)
            cells.append(f"{ms(r['p50'])} ({ratio:.1f}x)")
        print(f"  {name:<58}" + "".join(f"{c:>16}" for c in cells))


def main() -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    ap.add_argument("--engine", action="store_true", help="section 1")
    ap.add_argument("--pipeline", action="store_true", help="section 2")
    ap.add_argument("--load", action="store_true", help="section 3")
    ap.add_argument("--scale", action="store_true", help="section 4")
    ap.add_argument("--sizes", default="10k,100k,1M", help="claims, e.g. 10k,100k,1M")
    ap.add_argument("--words", type=int, default=20000, help="engine: words of text")
    ap.add_argument("--rss-articles", default="100,1000", help="engine: RSS after these")
    ap.add_argument("--pipeline-articles", type=int, default=40)
    ap.add_argument(
        "--split-queues",
        action="store_true",
        help="--pipeline: K processes on -Q analysis and one more on -Q default",
    )
    ap.add_argument(
        "--backlog",
        action="store_true",
        help="--pipeline: ingest every article first, then time the workers' drain",
    )
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--repeat", type=int, default=30, help="requests per measurement")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per load test")
    ap.add_argument(
        "--rounds",
        type=int,
        default=6,
        help="load: then the API and the indexed bare view alternated, this many rounds "
        "of --round-seconds each (0: none); the median ratio outlasts the machine's drift",
    )
    ap.add_argument("--round-seconds", type=float, default=5.0)
    ap.add_argument("--keep", action="store_true", help="keep the benchmark database")
    ap.add_argument(
        "--long-article", action="store_true",
        help="with --scale: at the largest size, the pages with a --long-kb article added",
    )  # fmt: skip
    ap.add_argument("--long-kb", type=int, default=1000, help="the long article's size in KB")
    ap.add_argument(
        "--existing", action="store_true",
        help="--scale/--load against the kept BENCH_DB_NAME as it is (migrated, not "
        "regenerated or dropped): measure again after a change",
    )  # fmt: skip
    ap.add_argument("--child-rss", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_rss:
        child_rss([int(x) for x in args.child_rss.split(",")])
        return
    chosen = {k for k in ("engine", "pipeline", "load", "scale") if getattr(args, k)}
    chosen = chosen or {"engine", "pipeline", "load", "scale"}
    result = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
              "argv": sys.argv[1:], "load_before": uptime(), "cpus": os.cpu_count(),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                       capture_output=True, text=True).stdout.strip()}  # fmt: skip
    print(f"python -m bench {' '.join(sys.argv[1:])}  (load average {result['load_before']}, "
          f"{result['cpus']} CPUs, commit {result['commit']})", flush=True)  # fmt: skip
    try:
        if "engine" in chosen:
            result["engine"] = section_engine(args)
        if "pipeline" in chosen:
            result["pipeline"] = section_pipeline(args)
        if chosen & {"scale", "load"}:
            result["scale"], result["load"] = {}, {}
            sections_http(args, "scale" in chosen, "load" in chosen, result)
    finally:  # what was measured is written even when a later section fails
        result["load_after"] = uptime()
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(result, indent=2, default=str))
        print(f"\nload average after: {result['load_after']}\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
