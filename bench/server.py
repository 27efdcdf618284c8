"""The tracker's WSGI app plus two bench-only baselines, for `python -m bench`.

    gunicorn -w 2 bench.server:application

- ``/bench/wsgi/``: a bare WSGI app on the same server (no Django at all): the
  server's and the load generator's own limit.
- ``/bench/json/?confidence_level=low&status=unstarted``: a bare Django view that
  returns the same page of claims as the API (same filter, same default order,
  50 rows) as a ``JsonResponse`` from one ``.values()`` query: the database's and
  Django's limit without DRF, filters, serializers or authentication. As the issue
  defined it, it orders by the expression COALESCE(confidence_score, 2.0), which no
  index serves: at scale it sorts every matching row.
- ``/bench/json-indexed/?...``: the same view ordered by the stored key the API
  orders by (Claim.score_key, the same expression, with its index): the same rows,
  on the API's own query plan. The fair limit to hold the API against.
- ``/bench/json-document/?...``: that view again, reading the columns the API's
  claim document shows (claims.selectors.CLAIM_LIST_COLUMNS, with the article's
  title and the assignee's name joined) instead of 13: what the same data costs
  Django without DRF, filters, serializers, hedge cues or authentication.
- ``/bench/json-values/?...``: the issue's view to the letter, ``.values()`` with no
  names (every column of the claim), on the API's index.

Everything else is the tracker itself (tracker.urls). Never deployed: only the
benchmark starts it.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db.models import F, Value  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from claims.models import Claim  # noqa: E402
from claims.selectors import CLAIM_LIST_COLUMNS  # noqa: E402
from tracker import urls as tracker_urls  # noqa: E402
from tracker.gc_tuning import tune_for_requests  # noqa: E402

FIELDS = ("id", "article_id", "text", "status", "confidence_level", "confidence_score",
          "checkworthiness", "source_type", "source_text", "sourcing_strength", "kind",
          "assignee_id", "updated_at")  # fmt: skip
FILTERS = ("confidence_level", "status", "source_type", "sourcing_strength", "kind")


def _filtered(request):
    qs = Claim.objects.all()
    for name in FILTERS:
        values = request.GET.getlist(name)
        if values:
            qs = qs.filter(**{f"{name}__in": values})
    return qs


def bare_json(request):
    qs = _filtered(request).order_by(
        Coalesce("confidence_score", Value(2.0)), F("checkworthiness").desc(), "id"
    )
    return JsonResponse({"results": list(qs.values(*FIELDS)[:50])})


def bare_json_indexed(request):
    qs = _filtered(request).order_by("score_key", F("checkworthiness").desc(), "id")
    return JsonResponse({"results": list(qs.values(*FIELDS)[:50])})


def bare_json_document(request):
    qs = _filtered(request).order_by("score_key", F("checkworthiness").desc(), "id")
    qs = qs.annotate(list_article_title=F("article__title"), list_assignee=F("assignee__username"))
    return JsonResponse({"results": list(qs.values(*CLAIM_LIST_COLUMNS)[:50])})


def bare_json_values(request):
    qs = _filtered(request).order_by("score_key", F("checkworthiness").desc(), "id")
    return JsonResponse({"results": list(qs.values()[:50])})


urlpatterns = [
    path("bench/json/", bare_json),
    path("bench/json-values/", bare_json_values),
    path("bench/json-indexed/", bare_json_indexed),
    path("bench/json-document/", bare_json_document),
    *tracker_urls.urlpatterns,
]
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(tracker_urls, _name):
        globals()[_name] = getattr(tracker_urls, _name)

_django = get_wsgi_application()
tune_for_requests()  # as tracker/wsgi.py does
_BARE = b'{"ok": true}'


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/wsgi/":
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(_BARE)))]
        )
        return [_BARE]
    return _django(environ, start_response)
