"""A filter given twice. The multiple-choice filters (status, kind, priority ...)
take every value; a one-value filter (article, assignee, source ...) given twice is a
400: it used to take the last value alone, so ``?article=1&article=2`` answered
article 2's claims as if they were both articles' (a script reading it had no way
to tell)."""

import pytest

from claims.filters import ClaimFilter
from tests.api.conftest import error_of
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

REPEATABLE = {
    "confidence_level", "status", "source_type", "sourcing_strength", "hedge_category",
    "kind", "priority",
}  # fmt: skip


def test_the_multiple_choice_filters_take_every_value(api_as):
    quantity = ClaimFactory(kind="quantity")
    event = ClaimFactory(kind="event")
    answer = api_as("viewer").get("/api/v1/claims/", {"kind": ["quantity", "event"]})
    assert answer.status_code == 200
    assert {row["id"] for row in answer.json()["results"]} == {quantity.pk, event.pk}


@pytest.mark.parametrize(
    "url", ["/api/v1/claims/", "/api/v1/claims/export.csv", "/api/v1/factchecks/"]
)
def test_a_one_value_parameter_given_twice_is_a_400_naming_it(api_as, url):
    first, second = ArticleFactory(), ArticleFactory()
    ClaimFactory(article=first)
    ClaimFactory(article=second)
    name = "rating" if "factchecks" in url else "article"
    values = ["false", "true"] if name == "rating" else [first.pk, second.pk]
    answer = api_as("editor").get(url, {name: values})
    assert answer.status_code == 400
    error = error_of(answer)
    assert set(error["details"]) == {name}
    assert "one value" in error["details"][name][0]


def test_every_one_value_claim_filter_is_refused_twice(api_as):
    client = api_as("editor")
    for name in sorted(set(ClaimFilter.base_filters) - REPEATABLE):
        answer = client.get("/api/v1/claims/", {name: ["1", "1"]})
        assert answer.status_code == 400, name
        assert name in error_of(answer)["details"], name
    for name in ("cursor", "page_size", "ordering"):
        assert client.get("/api/v1/claims/", {name: ["1", "1"]}).status_code == 400, name
