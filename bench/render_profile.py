"""Where a dashboard page's time goes, in-process: SQL against Python and templates.

    DATABASE_URL=postgres://... DJANGO_ENV=development \\
        python -m bench.render_profile [--runs 40] [--user editor] [--profile 15] \\
        [--token] [PATH ...]

Each path is fetched ``--runs`` times with django.test.Client as the demo user
(after two warm-up fetches: connections, the cached template loader, the count
cache); the median request is split into its SQL time (every query's, timed by a
connection execute_wrapper) and the rest (the view's Python, the templates, the
middleware). ``--profile N`` then prints cProfile's top N functions (cumulative)
of a further ``--runs`` fetches of the first path. ``--token`` asks as an API
client does (a knox token in each request, no session): for /api/v1/ paths. Needs
a corpus (generate_corpus) and create_demo_users; DEBUG stays off, as in production.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

DEFAULT_PATHS = ["/", "/?confidence_level=low", "/?q=council"]


class _SqlTimer:
    """A connection execute_wrapper that adds up the queries' count and time."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def _fetch(client, path: str) -> tuple[float, _SqlTimer, int]:
    from django.db import connection

    timer = _SqlTimer()
    with connection.execute_wrapper(timer):
        start = time.perf_counter()
        response = client.get(path)
        total = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return total, timer, len(response.content)


def measure(client, path: str, runs: int) -> dict:
    for _ in range(2):
        _fetch(client, path)
    samples = [_fetch(client, path) for _ in range(runs)]
    samples.sort(key=lambda s: s[0])
    total, timer, size = samples[len(samples) // 2]
    return {
        "path": path,
        "p50_ms": total * 1000,
        "sql_ms": timer.seconds * 1000,
        "python_ms": (total - timer.seconds) * 1000,
        "queries": timer.count,
        "min_ms": samples[0][0] * 1000,
        "mean_python_ms": statistics.mean((t - q.seconds) * 1000 for t, q, _ in samples),
        "kb": size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--user", default="editor", help="a demo user (create_demo_users)")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--token", action="store_true", help="as an API client: a new API token, no session"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    assert not settings.DEBUG, "measure with DEBUG off (DJANGO_DEBUG unset)"
    user = get_user_model().objects.get(username=args.user)
    if args.token:  # the API as its clients call it: a knox token in each request
        from datetime import timedelta

        from claims.tokens import token_create

        # The project's own service: an hour's token (expired ones are cleared).
        _, key = token_create(user=user, expiry=timedelta(hours=1))
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    else:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
    print(f"{'path':32} {'p50 ms':>7} {'SQL ms':>7} {'rest ms':>7} {'queries':>7} {'KB':>6}")
    for path in args.paths:
        r = measure(client, path, args.runs)
        print(
            f"{r['path']:32} {r['p50_ms']:7.1f} {r['sql_ms']:7.1f} {r['python_ms']:7.1f}"
            f" {r['queries']:7d} {r['kb']:6.0f}"
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            client.get(args.paths[0])
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
