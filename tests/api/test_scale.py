"""Issue 12: the claim list costs the same with a 2,000-claim article, never
loads an article's text or analysis blob, and filters without DISTINCT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.scale import article_with_claims

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/claims/",
    "/api/v1/claims/?confidence_level=low&status=unstarted",
    "/api/v1/claims/?source_type=unnamed&hedge_category=reportative",
    "/api/v1/claims/?ordering=-checkworthiness&q=dams",
]


def fetch(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", URLS)
def test_the_claim_list_is_flat_between_an_article_of_10_and_one_of_2000(api_as, url):
    client = api_as("viewer")
    article_with_claims(10, title="Short")
    _, small = fetch(client, url)
    article_with_claims(2000, title="Long")
    response, large = fetch(client, url)
    assert len(small) == len(large), (small, large)
    assert not any("analysis_data" in q or "raw_text" in q for q in large)
    assert not any("DISTINCT" in q for q in large)
    assert len(response.content) < 100_000 and response.json()["results"]


def test_cursor_pages_of_the_default_order_walk_every_claim_once(api_as):
    article_with_claims(130)
    client = api_as("viewer")
    url, seen = "/api/v1/claims/?page_size=40", []
    while url:
        response, _ = fetch(client, url)
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert len(seen) == 130 == len(set(seen))
