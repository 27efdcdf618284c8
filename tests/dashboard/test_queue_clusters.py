"""Issue 14: the queue groups a cluster of claims that say the same thing into one
row (?group=cluster, a checkbox of the filter form, kept by saved views): the
member that comes first in the current order and filters, with "Repeated in N
articles" linking to its matches; claims in no cluster show as usual."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, SavedView
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("dashboard:queue")


def shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr class="claim-row" data-claim="(\d+)"', html)]


def get(client, **query) -> str:
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    return response.content.decode()


def cluster(worths: list[float], scores: list[float] | None = None) -> list[Claim]:
    """A cluster of claims, one per article, at these check-worthiness values (and
    confidence scores), every one at the same confidence level."""
    scores = scores or [0.2] * len(worths)
    made = [
        ClaimFactory(
            article=ArticleFactory(), checkworthiness=w, confidence_score=s, confidence_level="low"
        )
        for w, s in zip(worths, scores, strict=True)
    ]
    Claim.objects.filter(pk__in=[c.pk for c in made]).update(
        cluster_id=made[0].pk, repeats=len(made)
    )
    return made


@pytest.fixture
def queue(db):
    repeated = cluster([0.5, 0.9, 0.2], scores=[0.3, 0.25, 0.1])
    alone = ClaimFactory(checkworthiness=0.7, confidence_level="low", confidence_score=0.2)
    return repeated, alone


def test_a_cluster_is_one_row_its_best_ranked_member(client_as, queue):
    (a, b, c), alone = queue
    client = client_as("viewer")
    # Ungrouped: every claim, most check-worthy first.
    assert shown(get(client)) == [b.pk, alone.pk, a.pk, c.pk]
    html = get(client, group="cluster")
    assert shown(html) == [b.pk, alone.pk]
    link = reverse("dashboard:claim", args=[b.pk]) + "#matches"
    assert f'<a class="repeats" href="{link}">Repeated in 3 articles</a>' in html
    assert html.count("Repeated in") == 1  # the lone claim says nothing
    assert 'name="group" value="cluster" id="id_group"' in html and " checked>" in html
    assert "of 2 claims" in html  # the count is of rows, as shown


def test_the_head_follows_the_order_and_the_filters(client_as, queue):
    (a, b, c), alone = queue
    client = client_as("viewer")
    # Lowest confidence first: c (0.1) heads the cluster.
    assert shown(get(client, group="cluster", sort="score")) == [c.pk, alone.pk]
    # A filter that leaves b out: the best of the members still shown heads it.
    Claim.objects.filter(pk=b.pk).update(status="dismissed")
    assert shown(get(client, group="cluster")) == [alone.pk, a.pk]
    assert shown(get(client, group="cluster", view="done")) == [b.pk]


def test_grouped_pages_follow_the_order(client_as, monkeypatch):
    from claims.forms import QueueForm

    heads = [cluster([0.9 - i * 0.1, 0.05 + i * 0.01])[0] for i in range(5)]
    client = client_as("viewer")
    monkeypatch.setattr(QueueForm, "page_size", lambda self: 2)
    seen, query = [], {"group": "cluster"}
    while True:
        html = get(client, **query)
        seen += shown(html)
        after = re.search(r'href="\?[^"]*after=([^"&]+)[^"]*" rel="next"', html)
        if not after:
            break
        query["after"] = after.group(1)
    assert seen == [h.pk for h in heads]


def test_grouped_queue_queries_do_not_grow_with_the_clusters(client_as):
    client = client_as("editor")
    url = QUEUE + "?group=cluster&per_page=50"

    def count() -> int:
        cache.clear()  # the rows' sentences are cut (one query) unless kept: count that
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        cluster([0.5, 0.4, 0.3])
    few = count()
    for _ in range(20):
        cluster([0.5, 0.4, 0.3])
    html = client.get(url).content.decode()
    assert len(shown(html)) == 22 and html.count("Repeated in 3 articles") == 22
    assert count() == few


def test_a_saved_view_keeps_the_grouping(client_as, queue):
    client = client_as("checker")
    response = client.post(
        reverse("dashboard:saved-view-create"), {"name": "Repeats", "query": "group=cluster"}
    )
    assert response["Location"] == "/?group=cluster"
    assert SavedView.objects.get().query == "group=cluster"


def test_an_unknown_grouping_is_an_error_and_groups_nothing(client_as, queue):
    html = get(client_as("viewer"), group="article")
    assert "Some filters are not valid" in html and len(shown(html)) == 4
