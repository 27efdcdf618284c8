"""axe-core (vendored, WCAG 2.2 AA) on every page of the dashboard and the admin
pages the desk uses, for each role that can open them, with real data on them: a
claim with a verdict, a comment, a notification, a due date, a resolved source."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Source
from claims.services.sources import sources_resolve
from claims.workflow import claim_assign, claim_transition, comment_add
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, ArticleFactory, ClaimFactory, checker, editor, viewer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EVERYONE = [
    "/",
    "/?view=mine",
    "/?view=unassigned",
    "/?view=due",
    "/?view=done",
    "/?view=all&sort=due",
    "/overview/",
    "/articles/",
    "/articles/{article}/",
    "/claims/{claim}/",
    "/claims/{done}/",
    "/sources/",
    "/sources/{source}/",
    "/inbox/",
    "/account/",
    "/accounts/password_change/",
]
WRITERS = ["/articles/new/"]
EDITORS = [
    "/admin/",
    "/admin/claims/claim/",
    "/admin/claims/claim/{claim}/change/",
    "/admin/claims/claim/{claim}/history/",
    "/admin/claims/bulkaction/",
    "/admin/auth/user/",
]


@pytest.fixture
def desk():
    boss, ana = editor(username="boss"), checker(username="ana")
    article = ArticleFactory()
    text = article.raw_text
    start = text.index("the dam had passed")
    end = text.index(".", start)
    span = {"start": start, "end": end, "sentence_start": text.index("The county engineer")}
    span["sentence_end"] = end + 1
    claim = ClaimFactory(
        article=article,
        confidence_level="low",
        confidence_score=0.3,
        source_text="Ana Ruiz",
        source_type="named_person",
        due_at=timezone.now() - timedelta(hours=2),
        **span,
    )
    other = text.index("as many as 40")
    done = ClaimFactory(
        article=article,
        position=1,
        status="in_progress",
        start=other,
        end=text.index(".", other),
        sentence_start=other,
        sentence_end=text.index(".", other) + 1,
    )
    claim_transition(claim=done, to_status="false", user=boss, note="Records", expected_version=1)
    claim_assign(claim=claim, assignee=ana, user=boss, expected_version=claim.version)
    comment_add(claim=claim, body="@ana can you **call** the county?", user=boss)
    sources_resolve(claim_ids=[claim.pk])
    source = Source.objects.get()
    return {"article": article.pk, "claim": claim.pk, "done": done.pk, "source": source.pk}


def visit_all(page, base: str, paths: list[str], ids: dict, who: str):
    for path in paths:
        url = base + path.format(**ids)
        response = page.goto(url)
        assert response.status == 200, f"{who}: {url} answered {response.status}"
        assert_accessible(page, f"{who} on {path}")


def test_the_login_page(new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page, "the login page")


@pytest.mark.parametrize("role", ["viewer", "checker", "editor"])
def test_every_page_of_each_role(new_page, live_server, desk, role):
    user = {"viewer": viewer, "checker": checker, "editor": editor}[role](username=f"a11y_{role}")
    if role == "editor":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    page = new_page()
    log_in(page, live_server.url, user, PASSWORD)
    paths = EVERYONE + (WRITERS + EDITORS if role == "editor" else [])
    visit_all(page, live_server.url, paths, desk, role)
