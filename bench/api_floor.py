"""The claim list API against its floors, in process, requests interleaved.

    DATABASE_URL=postgres://... DJANGO_ENV=development \\
        python -m bench.api_floor [--runs 300] [--user checker] [QUERY]

Four requests, fetched in turn ``--runs`` times with django.test.Client (one
round: each once, so the machine's drift falls on all four alike), as the demo
user's API token; prints each one's median and its ratio to the API:

- ``django``: a view that returns ``{"ok": true}`` through the project's
  middleware: what Django itself costs a request;
- ``drf``: the same from an API view (ApiViewSet: token authentication, the
  claims permission, the throttles): what authentication and DRF cost before the
  list does anything;
- ``bare``: bench.server's ``/bench/json-indexed/``, issue 12's bare JsonResponse
  of the same rows on the API's index (no authentication);
- ``bare-doc``: ``/bench/json-document/``, the same bare view reading the columns
  the API's claim document shows instead of 13 (the same data, less the hedge cues);
- ``bare-all``: ``/bench/json-values/``, the issue's ``.values()`` to the letter
  (every column of the claim) on the same plan;
- ``api``: ``/api/v1/claims/`` with QUERY (default
  ``confidence_level=low&status=unstarted``).

Each is timed by the clock and by this process's CPU time (the client, Django and
the view run in it; the database's and Redis's own work is not counted). On a
machine other work shares, the clock moves with that work; the CPU time much less.

``api - drf`` is what the list itself costs (filters, the page's query, its hedge
cues, the documents, the JSON); ``bare - django`` is what the bare view's query
and JSON cost. Needs a corpus (generate_corpus) and create_demo_users.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

DEFAULT_QUERY = "confidence_level=low&status=unstarted"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("query", nargs="?", default=DEFAULT_QUERY)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--user", default="checker", help="a demo user (create_demo_users)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    from django.contrib.auth import get_user_model
    from django.http import JsonResponse
    from django.test import Client
    from django.urls import clear_url_caches, path
    from rest_framework.response import Response

    from bench import server  # sets Django up, with the bench URLs
    from claims.api.permissions import CanReadClaims
    from claims.api.views import ApiViewSet
    from claims.tokens import token_create

    class Floor(ApiViewSet):
        read_permission = CanReadClaims

        def list(self, request):
            return Response({"ok": True})

    server.urlpatterns[:0] = [
        path("bench/floor/django/", lambda request: JsonResponse({"ok": True})),
        path("bench/floor/drf/", Floor.as_view({"get": "list"})),
    ]
    clear_url_caches()

    user = get_user_model().objects.get(username=args.user)
    token, key = token_create(user=user, expiry=timedelta(hours=1))
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    paths = {
        "django": "/bench/floor/django/",
        "drf": "/bench/floor/drf/",
        "bare": f"/bench/json-indexed/?{args.query}",
        "bare-doc": f"/bench/json-document/?{args.query}",
        "bare-all": f"/bench/json-values/?{args.query}",
        "api": f"/api/v1/claims/?{args.query}",
    }
    try:
        for url in paths.values():
            for _ in range(5):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
        samples: dict[str, list[float]] = {name: [] for name in paths}
        cpu: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(args.runs):
            for name, url in paths.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                cpu[name].append(time.process_time() - start_cpu)
                samples[name].append(time.perf_counter() - start)
    finally:
        token.delete()
    median = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    # process_time ticks coarsely on some kernels: the mean of many is the measure.
    cpu_ms = {name: statistics.fmean(values) * 1000 for name, values in cpu.items()}
    print(f"{'request':8} {'p50 ms':>8} {'x api':>7} {'cpu ms':>8} {'x api':>7}  path")
    for name, url in paths.items():
        print(
            f"{name:8} {median[name]:8.2f} {median[name] / median['api']:7.2f}"
            f" {cpu_ms[name]:8.2f} {cpu_ms[name] / cpu_ms['api']:7.2f}  {url}"
        )
    print(
        f"the list itself (api - drf): {median['api'] - median['drf']:.2f} ms;"
        f" the bare view's query and JSON (bare - django):"
        f" {median['bare'] - median['django']:.2f} ms;"
        f" authentication and DRF (drf - django): {median['drf'] - median['django']:.2f} ms"
    )
    for name in ("bare", "bare-doc", "bare-all"):
        print(
            f"{name} / api: {median[name] / median['api']:.2f}x by the clock,"
            f" {cpu_ms[name] / cpu_ms['api']:.2f}x by CPU time (issue 12's target: 0.5x)"
        )


if __name__ == "__main__":
    main()
