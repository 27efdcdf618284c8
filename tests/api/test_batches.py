"""POST /api/v1/articles/batch/ and GET /api/v1/batches/{id}/: a batch of text
and URL items, its progress, its limits and who may see it."""

from __future__ import annotations

import json
import threading

import pytest

from claims import tasks
from claims.models import AnalysisState, Article, ImportBatch, ImportBatchItem
from tests.api.conftest import error_of
from tests.factories import ARTICLE_TEXT, ArticleFactory, editor

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/batch/"


def text(n: int) -> str:
    return f"{ARTICLE_TEXT} Inspectors counted {n} cracks."


def test_a_batch_is_202_with_its_progress_and_location(api_as):
    known = ArticleFactory(source_url="https://example.org/known")
    items = [
        {"text": text(1), "title": "Dam cracks"},
        {"text": text(2)},
        {"text": text(1)},  # the same text again
        {"url": "https://example.org/known"},  # a URL already here: not fetched again
        {"url": "ftp://example.org/x"},
        {"text": "   "},
    ]
    r = api_as("editor").post(URL, items, format="json")
    assert r.status_code == 202, r.content
    body = r.json()
    batch = ImportBatch.objects.get()
    assert body["id"] == batch.pk and r["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/batches/{batch.pk}/")
    assert (body["total"], body["processed"], body["created"]) == (6, 6, 2)
    assert (body["duplicates"], body["failed"], body["state"]) == (2, 2, "done")
    assert body["kind"] == "api" and body["created_by"] == "editor"
    assert [(f["position"], f["name"]) for f in body["failures"]] == [
        (5, "items[4] ftp://example.org/x"), (6, "items[5]")
    ]  # fmt: skip
    assert "Only http:// and https://" in body["failures"][0]["error"]
    assert "empty" in body["failures"][1]["error"]
    # In a test the commit (and so the analysis) has not happened: both are queued.
    assert body["analysis"] == {"analysed": 0, "running": 2, "failed": 0}
    assert body["finished"] is False
    created = Article.objects.exclude(pk=known.pk)
    assert created.count() == 2 and {a.created_by.username for a in created} == {"editor"}
    assert created.filter(title="Dam cracks").exists()
    dup = ImportBatchItem.objects.get(batch=batch, position=4)
    assert dup.outcome == "duplicate" and dup.article == known
    # Every item's outcome and article, named as the 400s name them (items[N], from 0).
    first = created.get(title="Dam cracks").pk
    assert [(i["position"], i["name"], i["outcome"], i["article"]) for i in body["items"]] == [
        (1, "items[0]", "created", first),
        (2, "items[1]", "created", created.exclude(pk=first).get().pk),
        (3, "items[2]", "duplicate", first),
        (4, "items[3] https://example.org/known", "duplicate", known.pk),
        (5, "items[4] ftp://example.org/x", "failed", None),
        (6, "items[5]", "failed", None),
    ]
    assert body["items"][0]["article_state"] == "queued" and body["items"][5]["error"]
    assert body["items_truncated"] is False
    assert api_as("editor").get(r["Location"]).json()["items"] == body["items"]


def test_a_large_command_batch_lists_its_first_items_and_says_so(api_as, settings):
    settings.INGEST_BATCH_MAX_ITEMS = 2
    batch = ImportBatch.objects.create(kind="command", source="wires/", total=3)
    for position in (1, 2, 3):
        ImportBatchItem.objects.create(
            batch=batch, position=position, name=f"wires/{position}.txt", outcome="failed",
            error="The article is empty.",
        )  # fmt: skip
    body = api_as("editor").get(f"/api/v1/batches/{batch.pk}/").json()
    assert [i["name"] for i in body["items"]] == ["wires/1.txt", "wires/2.txt"]
    assert body["items_truncated"] is True and body["items"][0]["article"] is None


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_answers_202_before_the_analyses_which_follow(api_as):
    # Committed for real, so the embedded mode's analyses are published (the
    # test's Celery is eager, as in the embedded mode). The background thread is
    # held until the response is read: no two threads on the in-memory database.
    gate = threading.Event()
    tasks._background_jobs().put(gate.wait)
    r = api_as("editor").post(URL, [{"text": text(1)}, {"text": text(2)}], format="json")
    gate.set()
    assert r.status_code == 202
    assert r.json()["analysis"] == {"analysed": 0, "running": 2, "failed": 0}
    assert tasks.background_idle(timeout=120)
    assert set(Article.objects.values_list("state", flat=True)) == {AnalysisState.ANALYZED}
    progress = api_as("editor").get(r["Location"]).json()
    assert progress["finished"] is True and progress["analysis"]["analysed"] == 2
    assert {i["article_state"] for i in progress["items"]} == {"analyzed"}


def test_progress_counts_the_analyses(api_as):
    r = api_as("editor").post(URL, [{"text": text(n)} for n in range(4)], format="json")
    ids = list(ImportBatchItem.objects.values_list("article_id", flat=True).order_by("position"))
    states = [AnalysisState.ANALYZED, AnalysisState.ANALYZED, AnalysisState.FAILED]
    for pk, state in zip(ids, states, strict=False):
        Article.objects.filter(pk=pk).update(state=state)
    progress = api_as("editor").get(r["Location"])
    assert progress.status_code == 200
    assert progress.json()["analysis"] == {"analysed": 2, "running": 1, "failed": 1}
    Article.objects.filter(pk=ids[3]).update(state=AnalysisState.ANALYZED)
    done = api_as("editor").get(r["Location"]).json()
    assert done["finished"] is True and done["analysis"]["running"] == 0


def test_progress_is_three_queries_whatever_the_size(api_as, django_assert_max_num_queries):
    client = api_as("editor")
    r = client.post(URL, [{"text": text(n)} for n in range(30)] + [{"url": "x"}], format="json")
    with django_assert_max_num_queries(7):  # auth (token x2, perms x2) + 3 reads
        assert client.get(r["Location"]).status_code == 200


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"text": ARTICLE_TEXT}, "Send a JSON list"),
        ([], "The list is empty"),
        ([{"text": text(n)} for n in range(4)], "4 items: at most 3 per request."),
        ([{"text": ARTICLE_TEXT}, "just a string"], "items[1]: Expected an object"),
        ([{"text": ARTICLE_TEXT, "url": "https://example.org"}], "exactly one of"),
        ([{}], "exactly one of"),
        ([{"text": 42}], "'text' must be a string"),
        ([{"url": ["https://example.org"]}], "'url' must be a string"),
        ([{"text": ARTICLE_TEXT, "title": None}], "'title' must be a string"),
        ([{"text": ARTICLE_TEXT, "source": "wire"}], "Unknown field(s) source"),
    ],
)
def test_a_list_of_the_wrong_shape_is_400_and_stores_nothing(api_as, settings, body, expected):
    settings.INGEST_BATCH_MAX_ITEMS = 3
    r = api_as("editor").post(URL, body, format="json")
    assert r.status_code == 400, r.content
    assert expected in error_of(r)["message"]
    assert not ImportBatch.objects.exists() and not Article.objects.exists()


def test_every_bad_item_is_named(api_as):
    r = api_as("editor").post(URL, [{"text": "a"}, {"x": 1}, {"text": "b"}, 7], format="json")
    assert r.status_code == 400
    assert set(error_of(r)["details"]) == {"items[1]", "items[3]"}


def test_not_json_is_400_and_another_media_type_415(api_as):
    client = api_as("editor")
    r = client.post(URL, "[{'text': 1}", content_type="application/json")
    assert r.status_code == 400 and error_of(r)["code"] == "parse_error"
    r = client.post(URL, "text=hello", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert not ImportBatch.objects.exists()


def test_the_default_limit_is_100(api_as):
    r = api_as("editor").post(URL, [{"text": "x"}] * 101, format="json")
    assert r.status_code == 400 and "at most 100" in error_of(r)["message"]


@pytest.mark.parametrize("role", ["checker", "viewer"])
def test_only_roles_that_add_articles_may_post_a_batch(api_as, role):
    r = api_as(role).post(URL, [{"text": text(1)}], format="json")
    assert r.status_code == 403 and error_of(r)["code"] == "permission_denied"
    assert not ImportBatch.objects.exists()


def test_anonymous_is_401(anon):
    assert anon.post(URL, [{"text": text(1)}], format="json").status_code == 401
    assert anon.get("/api/v1/batches/1/").status_code == 401


def test_a_batch_is_seen_by_its_owner_and_editors_only(api_as, django_user_model):
    from django.contrib.auth.models import Permission

    # A newsroom system's account: may add articles, is not an editor.
    robot = django_user_model.objects.create_user("cms-robot")
    robot.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_article", "view_article"])
    )
    mine = api_as(robot).post(URL, [{"text": text(1)}], format="json")
    assert mine.status_code == 202
    theirs = api_as(editor()).post(URL, [{"text": text(2)}], format="json")
    assert api_as(robot).get(mine["Location"]).status_code == 200
    # Someone else's batch is not found, as no batch is.
    r = api_as(robot).get(theirs["Location"])
    assert r.status_code == 404 and "no import batch" in error_of(r)["message"]
    assert api_as("checker").get(mine["Location"]).status_code == 404
    # Editors see every batch (view_importbatch), the command's too.
    command_batch = ImportBatch.objects.create(kind="command", source="folder/", total=0)
    for location in (mine["Location"], f"/api/v1/batches/{command_batch.pk}/"):
        assert api_as("editor").get(location).status_code == 200
    assert api_as("editor").get("/api/v1/batches/999999/").status_code == 404


def test_the_batch_post_is_throttled_like_the_article_post(api_as, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": "2/min", "auth_failure": None}
    )
    client = api_as("editor")
    codes = [client.post(URL, [{"text": text(n)}], format="json").status_code for n in range(3)]
    assert codes == [202, 202, 429]


@pytest.mark.parametrize(
    "bad",
    [
        {"text": f"{ARTICLE_TEXT} \udc00"},
        {"text": ARTICLE_TEXT, "title": "Dam \ud83d cracks"},
        {"url": "https://example.org/\udc00"},
    ],
)
def test_a_lone_surrogate_fails_its_item_alone(api_as, bad):
    # Sent escaped ("\udc00"), as JSON allows: the parser gives a lone surrogate.
    body = json.dumps([bad, {"text": text(40)}])
    r = api_as("editor").post(URL, body, content_type="application/json")
    assert r.status_code == 202, r.content
    failure, *others = r.json()["failures"]
    assert not others and (failure["position"], failure["name"]) == (1, "items[0]")
    assert failure["error"].startswith("Surrogate characters are not allowed: U+")
    assert Article.objects.get().raw_text == text(40)


def test_a_url_too_long_to_store_fails_its_item_alone(api_as):
    # An article's source_url holds 2,000 characters: a longer URL item was a 500
    # on PostgreSQL (value too long), after the items before it were stored, and
    # the items after it were never read.
    long_url = "https://example.org/story?q=" + "a" * 2000
    items = [{"text": text(50)}, {"url": long_url}, {"text": text(51)}]
    r = api_as("editor").post(URL, items, format="json")
    assert r.status_code == 202, r.content
    body = r.json()
    assert (body["created"], body["failed"], body["state"]) == (2, 1, "done")
    (failure,) = body["failures"]
    assert failure["position"] == 2 and "2000 characters" in failure["error"]
    assert not Article.objects.filter(source_url__startswith="https://example.org/story").exists()
