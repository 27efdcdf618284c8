"""Articles: list, detail, ingest (text or URL) and re-analysis."""

import pytest

from claims.models import Article
from tests.api.conftest import error_of
from tests.factories import ARTICLE_TEXT, ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/"
TEXT = ARTICLE_TEXT + " A new paragraph."


def test_list_newest_first_with_counts(api_as):
    old, new = ArticleFactory(), ArticleFactory()
    ClaimFactory(article=old)
    ClaimFactory(article=old, status="verified")
    r = api_as("viewer").get(URL)
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [a["id"] for a in rows] == [new.pk, old.pk]
    assert (rows[1]["n_claims"], rows[1]["n_open"]) == (2, 1)
    assert rows[0]["url"].endswith(f"/api/v1/articles/{new.pk}/")


def test_list_refuses_unknown_parameters(api_as):
    r = api_as("viewer").get(URL, {"state": "failed"})
    assert r.status_code == 400 and "state" in error_of(r)["details"]


def test_detail_has_state_error_metadata_and_claims(api_as):
    article = ArticleFactory(state="failed", error="spaCy crashed", author="Ana Ruiz")
    claims = [ClaimFactory(article=article), ClaimFactory(article=article)]
    body = api_as("viewer").get(f"{URL}{article.pk}/").json()
    assert body["state"] == "failed" and body["error"] == "spaCy crashed"
    assert body["title"] == "Dam inspection disputed" and body["author"] == "Ana Ruiz"
    assert body["text"] == article.raw_text
    assert [c["id"] for c in body["claims"]] == [c.pk for c in claims]


def test_detail_has_the_analysis_contracts_article_names_too(api_as):
    """../shared/docs/analysis-contract.md names the article's date ``published``
    and where its body starts ``body_start``; the API named them first
    ``published_at`` and ``body_offset``, and keeps those."""
    from datetime import UTC, datetime

    when = datetime(2012, 12, 29, 19, 19, tzinfo=UTC)
    article = ArticleFactory(published_at=when, body_offset=113)
    body = api_as("viewer").get(f"{URL}{article.pk}/").json()
    assert body["published"] == body["published_at"] and body["published"].startswith("2012-12-29")
    assert body["body_start"] == body["body_offset"] == 113
    undated = api_as("viewer").get(f"{URL}{ArticleFactory().pk}/").json()
    assert undated["published"] is None and undated["published_at"] is None


def test_ingest_text_is_202_then_200_for_the_same_text(api_as):
    client = api_as("editor")
    r = client.post(URL, {"text": TEXT}, format="json")
    assert r.status_code == 202, r.content
    body = r.json()
    article = Article.objects.get()
    assert body["created"] is True and body["article"]["id"] == article.pk
    assert body["article"]["state"] == "queued" and body["message"]
    assert article.created_by.username == "editor"
    assert r["Location"] == body["article"]["url"]
    again = client.post(URL, {"text": TEXT}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["article"]["id"] == article.pk
    assert "already" in again.json()["message"]
    assert Article.objects.count() == 1


def test_ingest_takes_a_title_as_a_batch_item_does(api_as):
    """{"text", "title"} gave the batch's article that title, and POST /articles/
    dropped it without a word (the title read from the text's first line)."""
    r = api_as("editor").post(URL, {"text": TEXT, "title": "  Wire: dam row  "}, format="json")
    assert r.status_code == 202, r.content
    assert r.json()["article"]["title"] == "Wire: dam row"
    assert Article.objects.get().title == "Wire: dam row"


def test_the_schema_lists_the_title_of_an_ingest(api_as):
    schema = api_as("viewer").get("/api/schema/", {"format": "json"}).json()
    assert "title" in schema["components"]["schemas"]["ArticleInputRequest"]["properties"]


@pytest.mark.parametrize("took, message", [(True, "queued"), (False, "unreachable")])
def test_ingest_reports_whether_the_queue_took_it(
    api_as, monkeypatch, commit_immediately, took, message
):
    """The ingest commits before the response, so the API knows whether the
    broker took the work."""
    monkeypatch.setattr("claims.tasks.start_pipeline", lambda article_id, run_id: took)
    r = api_as("editor").post(URL, {"text": TEXT}, format="json")
    assert r.status_code == 202
    assert r.json()["enqueued"] is took and message in r.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   \n  "},
        {"text": TEXT, "url": "https://example.org/story"},
        {"text": 42},
        {"text": ["a", "b"]},
        {"url": "not a url"},
        {"url": "file:///etc/passwd"},
        {"text": "x\x00y"},
    ],
)
def test_bad_ingest_is_400_and_stores_nothing(api_as, body):
    r = api_as("editor").post(URL, body, format="json")
    assert r.status_code == 400, r.content
    error_of(r)
    assert not Article.objects.exists()


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": TEXT, "url": "https://a.example/"}])
def test_an_ingest_without_one_input_names_the_fields_to_send(api_as, body):
    """Said "Give exactly one of: pasted text, a file, or a URL.": the API takes no
    file (a multipart body is a 415), and its fields are text and url."""
    error = error_of(api_as("editor").post(URL, body, format="json"))
    assert error["code"] == "invalid_article"
    assert '"text"' in error["message"] and '"url"' in error["message"]
    assert "file" not in error["message"]


def test_ingest_of_a_private_url_is_refused(api_as):
    r = api_as("editor").post(URL, {"url": "http://127.0.0.1:9/story"}, format="json")
    assert r.status_code == 400
    assert error_of(r)["code"] == "invalid_article"
    assert not Article.objects.exists()


def test_ingest_text_over_the_limit_is_400(api_as, settings):
    settings.INGEST_MAX_BYTES = 100
    r = api_as("editor").post(URL, {"text": TEXT * 3}, format="json")
    assert r.status_code == 400 and "limit" in error_of(r)["message"]
    assert not Article.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_ingest_needs_add_article(api_as, role):
    r = api_as(role).post(URL, {"text": TEXT}, format="json")
    assert r.status_code == 403 and error_of(r)["code"] == "permission_denied"
    assert not Article.objects.exists()


def test_reanalyze_is_202(api_as, reanalyze_permission, monkeypatch):
    article = ArticleFactory()
    started = []
    monkeypatch.setattr("claims.services.articles._queue", lambda a: started.append(a.pk) or {})
    r = api_as("editor").post(f"{URL}{article.pk}/reanalyze/")
    assert r.status_code == 202, r.content
    assert r.json()["article"]["id"] == article.pk
    assert started == [article.pk]


@pytest.mark.parametrize("role", ["viewer", "checker"])
def test_reanalyze_needs_the_permission(api_as, reanalyze_permission, role):
    article = ArticleFactory()
    r = api_as(role).post(f"{URL}{article.pk}/reanalyze/")
    assert r.status_code == 403
    article.refresh_from_db()
    assert article.state == "analyzed"


def test_unknown_article_is_404(api_as, reanalyze_permission):
    client = api_as("editor")
    for r in (
        client.get(f"{URL}424242/"),
        client.post(f"{URL}424242/reanalyze/"),
        client.get(f"{URL}424242/claimreview/"),
        client.get(f"{URL}abc/"),
    ):
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"


@pytest.mark.parametrize(
    "url",
    ["http://example.org:70000/story", "http://example.org:0/story", "http://[::1/story"],
)
def test_ingest_of_a_malformed_url_is_400(api_as, url):
    r = api_as("editor").post(URL, {"url": url}, format="json")
    assert r.status_code == 400, r.content
    error_of(r)
    assert not Article.objects.exists()


def test_ingest_of_a_url_is_202_fetching_and_the_fetch_is_a_task(
    api_as, monkeypatch, commit_immediately
):
    """The web request only stores the article; a task fetches the page."""
    fetches = []
    monkeypatch.setattr(
        "claims.tasks.start_fetch", lambda article_id, run_id: fetches.append(article_id) or True
    )
    r = api_as("editor").post(URL, {"url": "https://example.org/story"}, format="json")
    assert r.status_code == 202, r.content
    body = r.json()
    article = Article.objects.get()
    assert body["article"]["state"] == "fetching" and body["enqueued"] is True
    assert "fetched" in body["message"] and fetches == [article.pk]
    assert article.state == "fetching" and article.source_url == "https://example.org/story"
    assert type(r["Location"]) is str and r["Location"] == body["article"]["url"]


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_ingest_answer_shows_the_analysed_article(api_as):
    """The tasks run in-process as the ingest commits: the answer's message said
    "Article saved and analysed." above an article whose state was "queued",
    analysed 0 times (the object as it was before its analysis)."""
    r = api_as("editor").post(URL, {"text": TEXT}, format="json")
    body = r.json()
    article = Article.objects.get()
    assert article.state == "analyzed" and article.claims.exists()
    assert body["message"] == "Article saved and analysed."
    assert body["article"]["state"] == "analyzed"
    assert body["article"]["times_analyzed"] == article.times_analyzed == 1
    assert body["article"]["finished_at"] is not None
