"""The desk's pages: the inbox (its queries, marking read, the header's count),
notification choices, the claim page (heading, discussion, htmx saves, next claim
in the queue's view), the article panel's out-of-band list item, highlights with
status and verdict, and the queue filtered by source."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Comment, Notification
from claims.notifications import preferences_get
from claims.workflow import claim_assign, claim_transition, comment_add
from tests.factories import ArticleFactory, ClaimFactory, checker, editor

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def give(user, n: int):
    boss = editor(username="boss")
    article = ArticleFactory()
    for i in range(n):
        claim = ClaimFactory(article=article, start=30 + i, end=40 + i)
        claim_assign(claim=claim, assignee=user, user=boss, expected_version=1)


def inbox_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboard:inbox"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_inbox_queries_do_not_grow_with_rows(client_as):
    client = client_as("checker")
    give(client.user, 5)
    few, html = inbox_queries(client)
    assert html.count('class="unread"') == 5
    give(client.user, 45)
    many, html = inbox_queries(client)
    assert html.count('class="unread"') == 50
    assert many == few


def test_the_header_counts_unread_and_mark_read_works(client_as):
    client = client_as("checker")
    give(client.user, 3)
    html = client.get(reverse("dashboard:queue")).content.decode()
    assert '<span class="inbox-count">3</span><span class="visually-hidden"> unread</span>' in html
    first = Notification.objects.filter(recipient=client.user).first()
    response = client.post(reverse("dashboard:inbox-read"), {"ids": [first.pk]})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:inbox")
    assert Notification.objects.filter(recipient=client.user, read_at__isnull=True).count() == 2
    client.post(reverse("dashboard:inbox-read"))
    html = client.get(reverse("dashboard:inbox")).content.decode()
    assert "inbox-count" not in html and 'class="unread"' not in html


def test_nobody_marks_anothers_notifications(client_as):
    ana = checker(username="ana")
    give(ana, 1)
    mine = Notification.objects.get()
    client_as("viewer").post(reverse("dashboard:inbox-read"), {"ids": [mine.pk]})
    client_as("viewer").post(reverse("dashboard:inbox-read"), {"ids": ["x"]})
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("dashboard:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_notification_choices_on_the_account_page(client_as):
    client = client_as("checker")
    html = client.get(reverse("dashboard:account")).content.decode()
    assert "Save notification choices" in html
    assert 'name="mention_in_app"' in html and "checked" in html
    response = client.post(
        reverse("dashboard:notification-preferences"),
        {"mention_in_app": "on", "mention_email": "on", "deadline_email": "on"},
    )
    assert response.status_code == 302
    prefs = preferences_get(user=client.user)
    assert prefs["mention"] == {"in_app": True, "email": True}
    assert prefs["assigned"] == {"in_app": False, "email": False}
    assert prefs["deadline"] == {"in_app": False, "email": True}


def test_the_claim_page_is_headed_by_the_claim(client_as, claim):
    html = client_as("viewer").get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert f'<h1 class="claim-title">{claim.text}</h1>' in html
    assert f"<title>{claim.text[:59]}" in html


def test_a_comment_from_the_page_with_and_without_htmx(client_as, claim):
    client = client_as("checker")
    url = reverse("dashboard:claim-comment", args=[claim.pk])
    response = client.post(url, {"body": "No-JS **works**"})
    assert response.status_code == 302
    response = client.post(url, {"body": "With htmx"}, HTTP_HX_TARGET="claim-main", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<strong>works</strong>" in html and "With htmx" in html and "Comment added." in html
    assert Comment.objects.filter(claim=claim).count() == 2


def test_viewers_read_the_discussion_but_cannot_comment(client_as, claim):
    comment_add(claim=claim, body="Called the county.", user=checker(username="ana"))
    client = client_as("viewer")
    html = client.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert "Called the county." in html and "Add comment" not in html
    response = client.post(reverse("dashboard:claim-comment", args=[claim.pk]), {"body": "x"})
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_an_empty_comment_is_refused_in_place(client_as, claim):
    client = client_as("checker")
    response = client.post(
        reverse("dashboard:claim-comment", args=[claim.pk]),
        {"body": ""},
        HTTP_HX_TARGET="claim-main",
        **HTMX,
    )
    assert response.status_code == 400 and "<html" not in response.content.decode()


def test_earlier_notes_have_no_author(client_as, claim):
    Comment.objects.create(claim=claim, author=None, body="old", body_html="<p>old</p>")
    html = client_as("viewer").get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert "<strong>Earlier notes</strong>" in html


def test_next_claim_follows_the_queue_view(client_as):
    article = ArticleFactory()
    a = ClaimFactory(article=article, confidence_level="very_low", checkworthiness=0.9)
    b = ClaimFactory(article=article, confidence_level="very_low", checkworthiness=0.5)
    c = ClaimFactory(article=article, confidence_level="low", checkworthiness=0.9)
    d = ClaimFactory(article=article, confidence_level="high", status="in_progress")
    client = client_as("viewer")

    def next_of(claim, query=""):
        html = client.get(reverse("dashboard:claim", args=[claim.pk]) + query).content.decode()
        import re

        found = re.search(r'href="/claims/(\d+)/([^"]*)" rel="next"', html)
        return (int(found.group(1)), found.group(2).replace("&amp;", "&")) if found else None

    assert next_of(a) == (b.pk, "")
    assert next_of(b) == (c.pk, "")
    assert next_of(c) == (d.pk, "")
    assert next_of(d) is None
    # The queue's query string is carried, cursors left out.
    assert next_of(a, "?status=unstarted&after=xyz") == (b.pk, "?status=unstarted")
    assert next_of(c, "?status=unstarted") is None
    assert next_of(a, "?confidence_level=very_low&sort=score") == (
        b.pk,
        "?confidence_level=very_low&sort=score",
    )


def test_queue_rows_carry_the_view_to_the_claim_page(client_as, claim):
    html = client_as("viewer").get("/?status=unstarted").content.decode()
    assert f'href="/claims/{claim.pk}/?status=unstarted" class="claim-link"' in html


def test_a_panel_save_brings_the_list_item_out_of_band(client_as, claim):
    client = client_as("checker")
    response = client.post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "in_progress", "version": 1},
        HTTP_HX_TARGET="claim-panel",
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li id="claim-item-{claim.pk}" hx-swap-oob="outerHTML">' in html
    assert 'data-status="in_progress"' in html


def test_highlights_show_status_and_verdict(client_as, claim):
    boss = editor()
    claim_transition(claim=claim, to_status="in_progress", user=boss, expected_version=1)
    claim_transition(claim=claim, to_status="false", user=boss, note="No.", expected_version=2)
    html = client_as("viewer").get(reverse("dashboard:article", args=[claim.article_id]))
    html = html.content.decode()
    assert "st-false" in html and 'data-state="Verdict: false"' in html
    assert 'title="Very low confidence; verdict: false: open this claim"' in html


def test_source_names_link_to_the_queue_filtered_by_source(client_as, claim):
    other = ClaimFactory(source_text="Ana Ruiz")
    client = client_as("viewer")
    html = client.get(reverse("dashboard:claim", args=[claim.pk])).content.decode()
    assert 'href="/?view=all&amp;source=Residents"' in html
    listed = client.get("/?source=Ana%20Ruiz").content.decode()
    assert f"/claims/{other.pk}/" in listed and f"/claims/{claim.pk}/" not in listed
    assert 'href="/?source=Ana%20Ruiz"' in listed


def test_the_deadline_reminder_appears_in_the_inbox(client_as):
    client = client_as("checker")
    ClaimFactory(assignee=client.user, due_at=timezone.now() + timedelta(hours=3))
    from claims.tasks import deadline_reminders_task

    deadline_reminders_task.delay()
    html = client.get(reverse("dashboard:inbox")).content.decode()
    assert "A claim of mine is due within a day" in html and "Due " in html


def test_mark_all_read_leaves_a_notification_that_came_after_the_inbox_was_shown(client_as):
    import re

    client = client_as("checker")
    give(client.user, 5)
    html = client.get(reverse("dashboard:inbox")).content.decode()
    upto = re.search(r'name="upto" value="(\d+)"', html).group(1)
    later = ClaimFactory(start=90, end=99)
    claim_assign(
        claim=later, assignee=client.user, user=editor(username="boss2"), expected_version=1
    )
    response = client.post(reverse("dashboard:inbox-read"), {"upto": upto}, follow=True)
    assert "Marked 5 notifications read." in response.content.decode()
    unread = Notification.objects.filter(recipient=client.user, read_at__isnull=True)
    assert list(unread.values_list("claim_id", flat=True)) == [later.pk]


def test_following_a_notification_marks_it_read_and_opens_its_claim(client_as):
    client = client_as("checker")
    give(client.user, 2)
    first, second = Notification.objects.filter(recipient=client.user).order_by("pk")
    html = client.get(reverse("dashboard:inbox")).content.decode()
    link = reverse("dashboard:notification-open", args=[first.pk])
    assert f'href="{link}"' in html
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:claim", args=[first.claim_id])
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client_as("viewer").get(link).status_code == 404  # not theirs
