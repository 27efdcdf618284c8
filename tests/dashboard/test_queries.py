"""No N+1: a page costs the same number of queries whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, HedgeCue
from tests.factories import ArticleFactory, ClaimFactory, checker

pytestmark = pytest.mark.django_db


def make_claims(n: int, assignee):
    """n claims over several articles, each with an assignee and two hedge cues."""
    articles = [ArticleFactory() for _ in range(0, n, 5)]
    for i in range(n):
        article = articles[i // 5]
        c = ClaimFactory(
            article=article,
            start=30 + i,
            end=40 + i,
            confidence_level=["very_low", "low", "medium", "high"][i % 4],
            assignee=assignee,
        )
        HedgeCue.objects.create(claim=c, text="some", category="vague_quantity", start=1, end=2)
        HedgeCue.objects.create(claim=c, text="said", category="reportative", start=3, end=4)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_queue_queries_do_not_grow_with_the_page(client_as, role):
    client = client_as(role)
    worker = checker(username="worker")
    url = reverse("dashboard:queue") + "?per_page=50"
    make_claims(5, worker)
    five = count_queries(client, url)
    make_claims(45, worker)
    fifty = count_queries(client, url)
    html = client.get(url).content.decode()
    assert html.count('class="claim-link"') == 50
    assert five == fifty, (five, fifty)
    assert fifty <= 15


def test_queue_with_filters_is_fixed_too(client_as):
    client = client_as("editor")
    worker = checker(username="worker")
    url = reverse("dashboard:queue") + "?per_page=50&hedge_category=reportative&sort=score"
    make_claims(5, worker)
    five = count_queries(client, url)
    make_claims(45, worker)
    assert count_queries(client, url) == five


def test_article_page_queries_do_not_grow_with_its_claims(client_as):
    client = client_as("editor")
    article = ArticleFactory(raw_text="x" * 2000)
    for i in range(3):
        ClaimFactory(article=article, start=i * 20, end=i * 20 + 10)
    url = reverse("dashboard:article", args=[article.pk])
    few = count_queries(client, url)
    for i in range(3, 40):
        ClaimFactory(article=article, start=i * 20, end=i * 20 + 10)
    assert count_queries(client, url) == few


@pytest.mark.parametrize(
    "query",
    [
        "view=all&sort=due",
        "view=unassigned&sort=priority&overdue=false",
        "status=unstarted&status=in_progress&confidence_level=low&confidence_level=high",
        "q=inspection",  # the article's title: one more query for its ids, whatever the rows
    ],
)
@pytest.mark.parametrize("role", ["checker", "editor"])
def test_the_desk_views_are_fixed_too(client_as, role, query):
    """Issue 13: quick views, several values, the planning sorts and the title
    search, with the rows' actions (start, take, dismiss, verdict) and a saved view."""
    client = client_as(role)
    from claims.models import SavedView

    SavedView.objects.create(user=client.user, name="Mine", query="view=mine")
    url = reverse("dashboard:queue") + f"?per_page=50&{query}"
    make_claims(5, None)
    five = count_queries(client, url)
    few = client.get(url).content.decode().count('class="claim-link"')
    make_claims(45, None)
    fifty = count_queries(client, url)
    html = client.get(url).content.decode()
    many = html.count('class="claim-link"')
    assert few <= 5 and many >= 24 and 'data-action="start"' in html, (few, many)
    assert five == fifty, (five, fifty)


@pytest.mark.parametrize("role", ["checker", "editor"])
def test_dismissed_rows_cost_no_query_each(client_as, role):
    """A fact-checker may restore a claim only if they dismissed it, which takes a
    query: the queue's rows ask only for the moves their buttons make (start,
    dismiss, verdict), so 50 dismissed rows cost what 5 do (they cost one each)."""
    client = client_as(role)
    url = reverse("dashboard:queue") + "?view=all&status=dismissed&per_page=50"

    def dismissed(n):
        make_claims(n, None)
        Claim.objects.filter(status="unstarted").update(status="dismissed", dismiss_reason="other")

    dismissed(5)
    five = count_queries(client, url)
    dismissed(45)
    fifty = count_queries(client, url)
    assert client.get(url).content.decode().count('class="claim-link"') == 50
    assert five == fifty, (five, fifty)
