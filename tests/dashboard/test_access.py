"""Every dashboard page needs a login; /api/ and /admin/ keep their own auth."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from claims.urls import dashboard
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def all_urls(claim):
    """Every dashboard URL, with the claim's and its article's ids filled in."""
    urls = []
    for pattern in dashboard:
        kwargs = {}
        if "<int:pk>" in str(pattern.pattern):
            is_article = str(pattern.pattern).startswith("articles/")
            kwargs["pk"] = claim.article_id if is_article else claim.pk
        if "<int:number>" in str(pattern.pattern):  # an article version's diff
            kwargs["number"] = 2
        if "<int:match_id>" in str(pattern.pattern):  # the claim page's match decisions
            kwargs.update(match_id=1, decision="confirm")
        if "<int:delivery_id>" in str(pattern.pattern):  # a webhook delivery's resend
            kwargs["delivery_id"] = 1
        urls.append(reverse(f"dashboard:{pattern.name}", kwargs=kwargs))
    return urls


def test_anonymous_is_sent_to_the_login_page_everywhere(claim):
    client = Client()
    urls = all_urls(claim)
    assert len(urls) == len(dashboard) >= 19
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/accounts/login/?next="), url


def test_anonymous_post_changes_nothing(claim):
    Client().post(
        reverse("dashboard:claim-transition", args=[claim.pk]),
        {"to_status": "in_progress", "version": 1},
    )
    claim.refresh_from_db()
    assert claim.status == "unstarted" and claim.version == 1


def test_a_user_without_a_role_may_not_read(claim):
    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD)
    client = Client()
    client.force_login(nobody)
    assert client.get(reverse("dashboard:queue")).status_code == 403
    assert client.get(reverse("dashboard:claim", args=[claim.pk])).status_code == 403


def test_login_and_logout(client_as, claim):
    user = client_as("checker").user
    client = Client()
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b'<label for="id_username">' in page.content
    bad = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert b"didn't match" in bad.content
    ok = client.post(
        reverse("login") + "?next=/overview/",
        {"username": user.username, "password": PASSWORD, "next": "/overview/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/overview/"
    assert client.get(reverse("dashboard:queue")).status_code == 200
    # Logout is a POST (a link could be followed by a prefetcher).
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("dashboard:queue")).status_code == 302


def test_password_change(client_as):
    client = client_as("viewer")
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-77",
            "new_password2": "a-new-long-passphrase-77",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")


def test_api_keeps_token_auth_and_json_errors(db):
    response = Client().get("/api/v1/claims/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_admin_keeps_its_own_login(db):
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- A session that expired while a page was open -------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "claim-main"}


def login_next(url: str) -> str:
    """The ``next`` of a URL of the login page (and that it is the login page)."""
    parts = urlsplit(url)
    assert parts.path == reverse("login")
    return parse_qs(parts.query)["next"][0]


def test_htmx_form_after_the_session_expired_loads_the_login_page_whole(client_as, claim):
    """The comment form (htmx) with the session gone: not the login page swapped
    into the claim, but htmx told to load it as a page, and back to the claim."""
    client = client_as("checker")
    page = reverse("dashboard:claim", args=[claim.pk])
    client.cookies.pop("sessionid")
    response = client.post(
        reverse("dashboard:claim-comment", args=[claim.pk]),
        {"body": "typed"},
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
        **HTMX,
    )
    assert response.status_code == 401
    login = response["HX-Redirect"]
    assert login_next(login) == page
    assert b"<html" not in response.content
    shown = client.get(login)
    assert "Your session expired: log in again." in shown.content.decode()
    again = client.post(
        login, {"username": client.user.username, "password": PASSWORD, "next": page}
    )
    assert again.status_code == 302 and again["Location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(
    "referer, expected",
    [
        ("http://testserver/?view=mine", "/?view=mine"),  # a queue row's button
        ("http://testserver/claims/{pk}/", "/claims/{pk}/"),  # the claim page's form
        # The page shown at the form's URL after a refused save: its claim page.
        ("http://testserver/claims/{pk}/transition/", "/claims/{pk}/"),
        ("https://evil.example/claims/{pk}/", "/claims/{pk}/"),  # not this site
        ("", "/claims/{pk}/"),
    ],
)
def test_plain_form_after_the_session_expired_comes_back_to_its_page(
    client_as, claim, referer, expected
):
    client = client_as("checker")
    client.cookies.pop("sessionid")
    headers = {"HTTP_REFERER": referer.format(pk=claim.pk)} if referer else {}
    response = client.post(
        reverse("dashboard:claim-plan", args=[claim.pk]), {"version": 1}, **headers
    )
    assert response.status_code == 302
    next_url = expected.format(pk=claim.pk)
    assert login_next(response["Location"]) == next_url
    assert "Your session expired" in client.get(response["Location"]).content.decode()


def test_first_visit_is_a_plain_login_redirect(claim):
    client = Client()
    page = reverse("dashboard:claim", args=[claim.pk])
    response = client.get(page)
    assert login_next(response["Location"]) == page
    assert "session expired" not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/?view=mine", "/?view=mine"),  # the page the form was on
        # A word, not a path: redirect() took it for a URL name and answered 500
        # (NoReverseMatch), or went to the page of that name ("logout").
        ("none", "/inbox/"),
        ("logout", "/inbox/"),
        ("claims.views", "/inbox/"),  # a relative URL, not a page of this site
        ("https://evil.example/", "/inbox/"),
        ("//evil.example/", "/inbox/"),
    ],
)
def test_a_forms_next_is_a_path_of_this_site_or_the_default(client_as, next_url, expected):
    client = client_as("viewer")
    response = client.post(reverse("dashboard:inbox-read"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected
