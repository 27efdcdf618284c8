"""The queue: grouped by level, very low first; filters, search, sort, pages."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

EMPTY_FORM = {
    "q": "",
    "confidence_level": "",
    "status": "",
    "source_type": "",
    "sourcing_strength": "",
    "hedge_category": "",
    "article": "",
    "assignee": "",
    "sort": "worth",
    "per_page": "50",
}


@pytest.fixture
def mixed(db):
    article = ArticleFactory()
    levels = ["high", "very_low", "medium", "low", "very_low", ""]
    return [
        ClaimFactory(article=article, start=30 + 12 * i, end=40 + 12 * i, confidence_level=lv)
        for i, lv in enumerate(levels)
    ]


def headings(html: str) -> list[str]:
    import re

    return re.findall(r'<h2 id="group-([a-z_]+)"', html)


def test_groups_very_low_first_with_counts(client_as, mixed):
    html = client_as("viewer").get(reverse("dashboard:queue")).content.decode()
    assert headings(html) == ["very_low", "low", "medium", "high", "none"]
    assert "— 2 claims" in html  # two very low
    assert "Very low <strong>2</strong>" in html and "Unstarted <strong>6</strong>" in html


def test_the_whole_filter_form_with_empty_fields_shows_everything(client_as, mixed):
    html = client_as("viewer").get(reverse("dashboard:queue"), EMPTY_FORM).content.decode()
    assert html.count('class="claim-link"') == 6
    assert "Clear all filters" not in html


def test_filter_by_level(client_as, mixed):
    query = {**EMPTY_FORM, "confidence_level": "very_low"}
    html = client_as("viewer").get(reverse("dashboard:queue"), query).content.decode()
    assert headings(html) == ["very_low"] and html.count('class="claim-link"') == 2
    assert 'value="very_low" id="id_confidence_level_0" checked' in html
    assert "Clear all filters" in html


def test_mine(client_as, mixed):
    client = client_as("checker")
    mixed[2].assignee = client.user
    mixed[2].save()
    html = client.get(reverse("dashboard:queue"), {"assignee": "me"}).content.decode()
    assert html.count('class="claim-link"') == 1 and "<strong>you</strong>" in html


def test_search(client_as, mixed):
    target = mixed[3]
    word = target.text.split()[0]
    html = client_as("viewer").get(reverse("dashboard:queue"), {"q": word}).content.decode()
    assert target.text in html


def test_pages(client_as, mixed):
    client = client_as("viewer")
    first = client.get(reverse("dashboard:queue"), {"per_page": 25}).content.decode()
    assert "Showing 1–6 of 6 claims." in first
    bad = client.get(reverse("dashboard:queue"), {"per_page": 7}).content.decode()
    assert "Some filters are not valid" in bad


def test_an_invalid_filter_says_so(client_as, mixed):
    html = client_as("viewer").get(reverse("dashboard:queue"), {"status": "nonsense"}).content
    assert b"Some filters are not valid" in html and b"No claims match." in html


@pytest.mark.parametrize("params", [{"changed": "abc"}, {"overdue": "abc"}, {"overdue": "2"}])
def test_an_invalid_yes_no_filter_is_a_form_error(client_as, mixed, params):
    # Were read as "yes" (the checkbox took any value for ticked) or ignored.
    html = client_as("viewer").get(reverse("dashboard:queue"), params).content.decode()
    assert "Some filters are not valid" in html and "No claims match." in html
    assert "Must be 1 or 0 (or true or false), not abc." in html or params == {"overdue": "2"}
    name = next(iter(params))
    box = html.split(f'name="{name}"')[1][:60]
    assert "checked>" not in box  # not read as ticked


def test_yes_no_filters_take_the_usual_spellings(client_as, mixed):
    for value in ("0", "false", "off", "1", "on", "true"):
        html = client_as("viewer").get(reverse("dashboard:queue"), {"overdue": value}).content
        assert b"Some filters are not valid" not in html, value


def test_reasons_are_in_a_details_element(client_as, claim):
    html = client_as("viewer").get(reverse("dashboard:queue")).content.decode()
    assert '<details class="reasons">' in html and "unnamed source weak sourcing" in html
    assert 'class="cue hedge-approximator"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/suggest/articles/?article_q=a%00",
        "/suggest/users/?assignee=a%00",
        # The queue offers the matches of a title typed and not chosen: a 500 too.
        "/?article_q=a%00",
    ],
)
def test_a_suggestion_search_with_a_null_character_is_a_400(client_as, url):
    # PostgreSQL refuses NUL in a query: the suggestions answered 500.
    assert client_as("editor").get(url).status_code == 400
    assert client_as("editor").get(url.replace("%00", "")).status_code == 200


def test_an_article_title_typed_but_not_chosen_says_so(client_as, mixed):
    """Enter in the article box without picking the match: the list is not
    filtered by article, and the page says so, offering the match again."""
    article = mixed[0].article
    client = client_as("checker")
    html = client.get(
        reverse("dashboard:queue"), {**EMPTY_FORM, "article_q": "Dam inspection"}
    ).content.decode()
    assert 'id="article-unchosen" role="alert">No article was chosen' in html
    assert f'name="article" value="{article.pk}" aria-label="Dam inspection disputed">' in html
    chosen = client.get(
        reverse("dashboard:queue"),
        {**EMPTY_FORM, "article_q": "Dam inspection", "article": article.pk},
    ).content.decode()
    assert "No article was chosen" not in chosen
    nothing = client.get(reverse("dashboard:queue"), {"article_q": "Zebra"}).content.decode()
    assert "No article was chosen" in nothing and "No article title contains “Zebra”." in nothing


@pytest.mark.parametrize("params", [{"confidence": "very_low"}, {"statu": "verified"}])
def test_a_misspelt_filter_is_a_form_error_not_every_claim(client_as, mixed, params):
    """ "/?confidence=very_low" (the filter is confidence_level) listed every claim
    under no sign that nothing was filtered, and its "Export CSV" downloaded them all."""
    client = client_as("viewer")
    html = client.get(reverse("dashboard:queue"), params).content.decode()
    name = next(iter(params))
    assert "Some filters are not valid" in html and "No claims match." in html
    assert f"“{name}” is not a filter of the queue" in html
    assert mixed[0].text not in html
    export = client.get(reverse("dashboard:queue-csv"), params, follow=True)
    assert export["Content-Type"].startswith("text/html")
    assert "Fix the filters before exporting." in export.content.decode()


def test_the_queue_s_own_parameters_are_no_misspelt_filter(client_as, mixed):
    client = client_as("viewer")
    for params in ({"kind": "quantity"}, {"after": "x"}, {"article_q": "x"}, {"per_page": 25}):
        html = client.get(reverse("dashboard:queue"), params).content.decode()
        assert "is not a filter of the queue" not in html, params


def test_an_old_page_number_bookmark_opens_the_view_s_first_page(client_as, mixed):
    """The queue paged by number before it paged by cursor: a bookmark of
    "/?view=all&page=3" shows its view from the start, not "“page” is not a filter"
    and no claims."""
    html = client_as("viewer").get(reverse("dashboard:queue"), {"view": "all", "page": 3})
    html = html.content.decode()
    assert "is not a filter of the queue" not in html
    assert mixed[0].text in html


@pytest.mark.parametrize(
    ("params", "clear"),
    [({"statu": "verified"}, "/"), ({"view": "all", "confidence": "low"}, "/?view=all")],
)
def test_a_misspelt_filter_offers_to_clear_the_filters(client_as, mixed, params, clear):
    """The misspelt filter lists no claims, as an invalid value does; an invalid
    value's page offers "Clear all filters", the misspelt one's did not."""
    html = client_as("viewer").get(reverse("dashboard:queue"), params).content.decode()
    assert "No claims match." in html
    assert f'<a href="{clear}">Clear all filters</a>' in html


def test_a_title_typed_and_not_chosen_is_no_filter_on(client_as, mixed):
    html = client_as("viewer").get(reverse("dashboard:queue"), {"article_q": "Zebra"})
    html = html.content.decode()
    assert "(filters on)" not in html and "Clear all filters" not in html
