"""Issue 13: the queue as a to-do list (quick views, several values per filter,
due dates and priorities, saved views, search on the article, the claim in its
sentence, CSV of the view) and who may do what from it."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import SavedView
from tests.factories import ArticleFactory, ClaimFactory, checker

pytestmark = pytest.mark.django_db

QUEUE = reverse("dashboard:queue")


def shown(html: str) -> list[str]:
    """The claim ids of the queue's rows, in order."""
    import re

    return re.findall(r'<tr class="claim-row" data-claim="(\d+)"', html)


def ids(*claims) -> list[str]:
    return [str(c.pk) for c in claims]


@pytest.fixture
def desk(db):
    """One claim per status, some assigned to "worker", some with due dates."""
    worker = checker(username="worker")
    article = ArticleFactory(title="Flood report", publication="Riverton Gazette")
    now = timezone.now()
    made = {}
    plan = [
        ("unstarted", None, now - timedelta(hours=3), 3, "very_low"),
        ("unstarted", worker, now + timedelta(hours=5, minutes=30), 1, "low"),
        ("in_progress", worker, None, 2, "medium"),
        ("in_progress", None, now + timedelta(days=3), 4, "high"),
        ("misleading", worker, now - timedelta(days=1), 1, "very_low"),
        ("dismissed", None, None, 3, "low"),
    ]
    for i, (status, who, due, priority, level) in enumerate(plan):
        made[i] = ClaimFactory(
            article=article,
            start=30 + 12 * i,
            end=40 + 12 * i,
            status=status,
            assignee=who,
            due_at=due,
            priority=priority,
            confidence_level=level,
        )
    return worker, made


def get(client, **query):
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_default_view_is_open_work_worst_confidence_first(client_as, desk):
    _, c = desk
    html = get(client_as("viewer"))
    assert shown(html) == ids(c[0], c[1], c[2], c[3])  # very low, low, medium, high
    assert '<a href="/" aria-current="page">Open</a>' in html


@pytest.mark.parametrize(
    "view, expected",
    [
        ("all", [0, 4, 1, 5, 2, 3]),
        ("unassigned", [0, 3]),
        ("due", [0, 1]),  # open, and due within 24 h or overdue (4 is done)
        ("done", [4, 5]),
    ],
)
def test_each_quick_view(client_as, desk, view, expected):
    _, c = desk
    html = get(client_as("viewer"), view=view)
    assert shown(html) == ids(*[c[i] for i in expected])
    assert f'?view={view}" aria-current="page"' in html


def test_mine_is_my_open_work(client_as, desk):
    worker, c = desk
    client = client_as(worker)
    assert shown(get(client, view="mine")) == ids(c[1], c[2])
    assert shown(get(client_as("checker"), view="mine")) == []


def test_an_unknown_view_is_an_error_not_everything(client_as, desk):
    html = get(client_as("viewer"), view="everything")
    assert "Some filters are not valid" in html and shown(html) == []


def test_filters_take_several_values(client_as, desk):
    _, c = desk
    client = client_as("viewer")
    html = get(client, status=["in_progress", "misleading"])  # the status replaces the view's
    assert shown(html) == ids(c[4], c[2], c[3])
    assert 'value="in_progress" id="id_status_1" checked' in html
    assert 'value="misleading" id="id_status_4" checked' in html
    assert shown(get(client, confidence_level=["very_low", "high"])) == ids(c[0], c[3])
    assert shown(get(client, view="all", priority=["1", "2"])) == ids(c[4], c[1], c[2])
    assert "Some filters are not valid" in get(client, priority=["9"])


def test_overdue_is_a_filter_and_is_marked_in_words(client_as, desk):
    _, c = desk
    html = get(client_as("viewer"), view="all", overdue="true")
    assert 'name="overdue" value="true" id="id_overdue" checked' in html
    assert shown(html) == ids(c[0])  # the done claim past its date is not overdue work
    assert "Overdue 3 h" in html and 'class="due overdue"' in html
    assert "Due in 5 h" in get(client_as("viewer"))
    assert "Was due" in get(client_as("viewer"), view="done")


def test_sort_by_due_date_and_by_priority(client_as, desk):
    _, c = desk
    client = client_as("viewer")
    assert shown(get(client, sort="due")) == ids(c[0], c[1], c[3], c[2])  # no date last
    assert shown(get(client, sort="priority")) == ids(c[1], c[2], c[0], c[3])
    html = get(client, sort="due")
    assert '<h2 id="group-all"' in html and "Due date, soonest first" in html


def test_keyset_pages_follow_the_due_order(client_as, desk, monkeypatch):
    import re

    from claims.forms import QueueForm

    client = client_as("viewer")
    full = shown(get(client, sort="due", view="all"))
    monkeypatch.setattr(QueueForm, "page_size", lambda self: 2)
    seen, query = [], {"sort": "due", "view": "all"}
    pages = []
    while True:
        html = get(client, **query)
        pages.append(html)
        seen += shown(html)
        after = re.search(r'href="\?[^"]*after=([^"&]+)[^"]*" rel="next"', html)
        if not after:
            break
        query["after"] = after.group(1)
    assert seen == full and len(seen) == 6 and len(pages) == 3
    before = re.search(r'href="\?[^"]*before=([^"&]+)[^"]*" rel="prev"', pages[-1]).group(1)
    assert shown(get(client, sort="due", view="all", before=before)) == full[2:4]


def test_search_covers_the_article_title_and_publication(client_as, desk):
    _, c = desk
    other = ArticleFactory(title="Budget vote", publication="Capital Times")
    elsewhere = ClaimFactory(article=other, start=30, end=40)
    client = client_as("viewer")
    assert shown(get(client, q="flood report")) == ids(c[0], c[1], c[2], c[3])
    assert shown(get(client, q="gazette")) == ids(c[0], c[1], c[2], c[3])
    assert shown(get(client, q="capital")) == ids(elsewhere)
    # The claim's own text and source still match.
    assert str(elsewhere.pk) in shown(get(client, q=elsewhere.text.split()[0]))


def test_a_title_search_over_many_articles_skips_the_list_next_time(client_as, desk, monkeypatch):
    """More matching articles than ARTICLE_MATCH_MAX: a subquery names them, and
    the next search with these words goes straight to it, finding the same claims."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import filters

    _, c = desk
    monkeypatch.setattr(filters, "ARTICLE_MATCH_MAX", 0)
    client = client_as("viewer")
    with CaptureQueriesContext(connection) as first:
        assert shown(get(client, q="gazette")) == ids(c[0], c[1], c[2], c[3])
    with CaptureQueriesContext(connection) as again:
        assert shown(get(client, q="gazette")) == ids(c[0], c[1], c[2], c[3])

    def lookups(ctx):
        return [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "claims_article"')]

    assert len(lookups(first)) == 1 and not lookups(again)  # no look-up of the ids
    assert shown(get(client, q="flood report")) == ids(c[0], c[1], c[2], c[3])


def test_each_row_shows_its_claim_marked_in_its_sentence(client_as, claim):
    html = get(client_as("viewer"))
    assert (
        '<p class="in-sentence small">Residents said <mark>as many as 40 homes had flooded'
        "</mark>.</p>"
    ) in html


def test_a_sentence_is_cut_once_and_follows_the_text(client_as, claim):
    """The rows' sentences are kept in the cache by the text's hash
    (selectors.claim_sentences): the next page cuts none, and a text that
    changes under the same offsets shows its own sentence."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.domain import content_hash
    from claims.models import Article

    client = client_as("viewer")
    get(client)
    with CaptureQueriesContext(connection) as ctx:
        html = get(client)
    assert "<mark>as many as 40 homes had flooded</mark>" in html
    assert not any("SUBSTR" in q["sql"].upper() for q in ctx.captured_queries)
    text = claim.article.raw_text.replace("Residents said", "Occupants said")  # same length
    Article.objects.filter(pk=claim.article_id).update(
        raw_text=text, content_hash=content_hash(text)
    )
    assert '<p class="in-sentence small">Occupants said <mark>' in get(client)


def test_the_local_cache_holds_many_pages_of_sentences_without_culling(settings):
    """Without CACHE_URL each process keeps the rows' sentences in its own cache: at
    Django's default of 300 entries six queue pages would cull everything else in
    it (the API's throttle counts, kept list counts) on the seventh."""
    from django.core.cache import cache

    if settings.CACHE_URL:
        pytest.skip("a shared cache (CACHE_URL) has no entry limit of ours")
    cache.set("throttle-probe", 1)
    for page in range(40):  # 40 pages of 50 rows
        cache.set_many({f"claim-sentence:{page}:{row}": "s" * 400 for row in range(50)})
    assert cache.get("throttle-probe") == 1


# --- Saved views -------------------------------------------------------------------


def save(client, name, query):
    return client.post(reverse("dashboard:saved-view-create"), {"name": name, "query": query})


def test_save_list_open_and_delete_a_view(client_as, desk):
    worker, c = desk
    client = client_as(worker)
    response = save(client, "  My   urgent ", "view=mine&priority=1&after=xyz&bogus=1&q=")
    saved = SavedView.objects.get(user=worker)
    assert saved.name == "My urgent" and saved.query == "view=mine&priority=1"
    assert response.status_code == 302 and response["Location"] == "/?view=mine&priority=1"
    html = get(client, view="mine", priority="1")
    assert '<a href="/?view=mine&amp;priority=1" aria-current="true">My urgent</a>' in html
    assert shown(html) == ids(c[1])
    delete = reverse("dashboard:saved-view-delete", args=[saved.pk])
    assert client.post(delete, {"next": "/?view=mine"})["Location"] == "/?view=mine"
    assert not SavedView.objects.exists()


def test_a_saved_view_is_current_when_the_form_reaches_its_filters(client_as, desk):
    worker, _c = desk
    client = client_as(worker)
    save(client, "Weakest", "confidence_level=very_low&confidence_level=low")
    # What the filter form sends: every field, the defaults, in the form's order.
    html = client.get(
        reverse("dashboard:queue"),
        {
            "view": "open",
            "q": "",
            "article_q": "",
            "confidence_level": ["low", "very_low"],
            "assignee": "",
            "sort": "worth",
            "per_page": "50",
        },
    ).content.decode()
    assert 'aria-current="true">Weakest</a>' in html
    html = get(client, confidence_level="low")
    assert 'aria-current="true">Weakest</a>' not in html


def test_a_saved_view_is_validated(client_as, desk):
    client = client_as("checker")
    save(client, "Mine", "view=mine")
    for name, query, message in [
        ("Mine", "view=all", "You already have a view named"),
        ("   ", "view=all", "This field is required"),
        ("x" * 101, "view=all", "at most 100 characters"),
        ("Long", "q=" + "a" * 2100, "too long to save"),
    ]:
        response = save(client, name, query)
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
        assert "The view was not saved" in html and message in html, message
    assert SavedView.objects.count() == 1


def test_another_users_view_is_neither_shown_nor_deletable(client_as, desk):
    worker, _ = desk
    theirs = SavedView.objects.create(user=worker, name="Worker's secret", query="view=mine")
    client = client_as("editor")
    assert "Worker&#x27;s secret" not in get(client)
    delete = reverse("dashboard:saved-view-delete", args=[theirs.pk])
    assert client.post(delete).status_code == 404
    assert client.get(delete).status_code == 405
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_saved_views_need_a_login(client, desk):
    response = client.post(reverse("dashboard:saved-view-create"), {"name": "x", "query": ""})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SavedView.objects.exists()


# --- CSV of the view ---------------------------------------------------------------


def rows_of(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("role", ["viewer", "checker", "editor"])
def test_export_csv_of_the_current_view(client_as, desk, role):
    _, c = desk
    client = client_as(role)
    html = get(client, view="done", sort="due")
    assert 'href="/queue.csv?view=done&amp;sort=due">Export CSV' in html
    response = client.get(reverse("dashboard:queue-csv"), {"view": "done", "sort": "due"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert [r["id"] for r in rows_of(response)] == ids(c[4], c[5])
    default = rows_of(client.get(reverse("dashboard:queue-csv")))
    assert [r["id"] for r in default] == ids(c[0], c[1], c[2], c[3])


def test_export_csv_refuses_bad_filters_and_big_views(client_as, desk, settings):
    client = client_as("viewer")
    bad = client.get(reverse("dashboard:queue-csv"), {"status": "nonsense"})
    assert bad.status_code == 302
    assert "Fix the filters" in client.get(bad["Location"]).content.decode()
    settings.CSV_EXPORT_SYNC_MAX_ROWS = 3
    big = client.get(reverse("dashboard:queue-csv"))
    assert big.status_code == 302 and big["Location"] == "/"
    assert "more than 3 claims" in client.get(big["Location"]).content.decode()


def test_export_csv_needs_a_reader(client, desk):
    response = client.get(reverse("dashboard:queue-csv"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Who may do what from a row ------------------------------------------------------


def actions(html: str, claim) -> str:
    start = html.index(f'data-claim="{claim.pk}"')
    return html[start : html.index("</tr>", start)]


def test_row_actions_follow_the_role(client_as, desk):
    worker, c = desk
    viewer_html = get(client_as("viewer"))
    assert 'data-action="' not in viewer_html and 'id="dismiss-dialog"' not in viewer_html
    checker_html = get(client_as(worker))
    row = actions(checker_html, c[0])
    assert 'data-action="start"' in row and 'data-action="take"' in row
    assert 'data-action="dismiss"' in row and 'data-action="verdict"' not in row
    assert 'data-action="take"' not in actions(checker_html, c[1])  # already mine
    assert 'id="verdict-dialog"' not in checker_html and 'id="dismiss-dialog"' in checker_html
    editor_html = get(client_as("editor"))
    assert 'data-action="verdict"' in actions(editor_html, c[2])  # in progress
    assert 'data-action="verdict"' not in actions(editor_html, c[0])  # unstarted
    assert 'id="verdict-dialog"' in editor_html
    for reason in ("not_checkworthy", "duplicate", "opinion", "other"):
        assert f'name="dismiss_reason" value="{reason}" id="dismiss-reason-{reason}" required' in (
            editor_html
        )


def test_start_from_the_row_returns_to_the_queue(client_as, desk):
    worker, c = desk
    client = client_as(worker)
    next_url = "/?view=unassigned"
    response = client.post(
        reverse("dashboard:claim-transition", args=[c[0].pk]),
        {"to_status": "in_progress", "version": c[0].version, "next": next_url},
    )
    assert response.status_code == 302 and response["Location"] == next_url
    c[0].refresh_from_db()
    assert c[0].status == "in_progress"


def test_the_skip_link_comes_first(client_as, desk):
    html = get(client_as("viewer"))
    body = html[html.index("<body") :]
    first_link = body[body.index("<a ") :]
    assert first_link.startswith('<a class="skip-link" href="#claims">Skip to claims</a>')
    assert 'id="claims"' in html


def _replace(data: dict, kind: type, value) -> dict:
    """The page token ``data`` with its sort values of type ``kind`` made ``value``."""
    assert any(isinstance(v, kind) for v in data["p"]), data
    return {**data, "p": [value if isinstance(v, kind) else v for v in data["p"]]}


@pytest.mark.parametrize(
    ("sort", "forge"),
    [
        ("worth", lambda data: b"[" * 1000 + b"]" * 1000),  # deeper than json.loads goes
        ("worth", lambda data: _replace(data, float, 10**400)),  # no float holds it
        ("newest", lambda data: _replace(data, str, "0001-01-01T00:00:00+14:00")),
        ("oldest", lambda data: _replace(data, str, "9999-12-31T23:59:59-14:00")),
    ],
)
def test_a_forged_page_token_is_the_first_page(client_as, monkeypatch, sort, forge):
    import base64
    import json
    import re

    from claims.forms import QueueForm
    from claims.selectors import keyset_untoken

    monkeypatch.setattr(QueueForm, "page_size", lambda self: 1)
    ClaimFactory.create_batch(3)
    client = client_as("viewer")
    html = client.get(reverse("dashboard:queue"), {"sort": sort}).content.decode()
    real = re.search(r'href="\?[^"]*after=([^"&]+)[^"]*" rel="next"', html).group(1)
    forged = forge(keyset_untoken(real))
    raw = forged if isinstance(forged, bytes) else json.dumps(forged).encode()
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    for param in ("after", "before"):
        response = client.get(reverse("dashboard:queue"), {"sort": sort, param: token})
        assert response.status_code == 200, param


def test_a_search_past_its_length_is_refused_in_place(client_as):
    ClaimFactory.create_batch(2)
    client = client_as("editor")
    long = "a" * 49999
    page = client.get(reverse("dashboard:queue"), {"q": long})
    assert page.status_code == 200
    assert "at most 200 characters" in page.content.decode()
    assert client.get(reverse("dashboard:queue-csv"), {"q": long}).status_code == 400
    assert client.get(reverse("dashboard:sources"), {"q": long}).status_code == 200
