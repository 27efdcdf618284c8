"""The account page: roles in words, API tokens made, shown once, revoked."""

import pytest
from django.urls import reverse
from knox.models import AuthToken

from claims.tokens import token_create

pytestmark = pytest.mark.django_db


def test_shows_roles_and_abilities(client_as):
    html = client_as("checker").get(reverse("dashboard:account")).content.decode()
    assert "<strong>Fact-checker</strong>" in html
    assert "Start, give back and dismiss claims" in html
    assert "Give, reopen and restore verdicts" not in html


def test_a_new_key_is_shown_once(client_as):
    client = client_as("viewer")
    response = client.post(reverse("dashboard:token-create"), {"days": 30})
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    html = response.content.decode()
    assert f'value="{key}"' in html and "will not be shown again" in html
    token = AuthToken.objects.get(user=client.user)
    # The key works against the API, with the user's role.
    api = client_class_get("/api/v1/claims/", key)
    assert api.status_code == 200
    later = client.get(reverse("dashboard:account")).content.decode()
    assert key not in later and token.token_key in later


def client_class_get(url, key):
    from django.test import Client

    return Client().get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_revoke(client_as):
    client = client_as("viewer")
    key = client.post(reverse("dashboard:token-create"), {"days": 7}).context["new_key"]
    token = AuthToken.objects.get()
    response = client.post(
        reverse("dashboard:token-revoke"), {"token_key": token.token_key}, follow=True
    )
    assert "The token is revoked" in response.content.decode()
    assert not AuthToken.objects.exists()
    assert client_class_get("/api/v1/claims/", key).status_code == 401


def test_revoke_says_the_tokens_made_with_it_went_too(client_as):
    from claims.tokens import token_create

    client = client_as("viewer")
    client.post(reverse("dashboard:token-create"), {"days": 7})
    parent = AuthToken.objects.get()
    child, child_key = token_create(user=parent.user, parent=parent)
    token_create(user=parent.user, parent=child)
    response = client.post(
        reverse("dashboard:token-revoke"), {"token_key": parent.token_key}, follow=True
    )
    assert "The token is revoked, and the 2 tokens made with it" in response.content.decode()
    assert not AuthToken.objects.exists()
    assert client_class_get("/api/v1/claims/", child_key).status_code == 401


def test_nobody_revokes_another_persons_token(client_as):
    owner = client_as("editor")
    owner.post(reverse("dashboard:token-create"), {"days": 7})
    token = AuthToken.objects.get()
    response = client_as("viewer").post(
        reverse("dashboard:token-revoke"), {"token_key": token.token_key}, follow=True
    )
    assert "No such token of yours." in response.content.decode()
    assert AuthToken.objects.filter(pk=token.pk).exists()


def test_a_bad_lifetime_is_refused(client_as):
    response = client_as("viewer").post(reverse("dashboard:token-create"), {"days": 9999})
    assert response.status_code == 400
    assert not AuthToken.objects.exists()


def test_reloading_the_new_keys_page_makes_no_second_token(client_as):
    """The page that shows a new key is the answer to "Create a token"'s POST (the
    key is stored nowhere to show it later); reloading it sent the form again and
    made a second live token without a word. The form's mark is used once."""
    client = client_as("checker")
    page = client.get(reverse("dashboard:account"))
    once = page.context["create_form"].initial["once"]
    assert f'name="once" value="{once}"' in page.content.decode()
    form = {"days": 30, "once": once}
    first = client.post(reverse("dashboard:token-create"), form)
    assert first.status_code == 201 and first.context["new_key"]
    again = client.post(reverse("dashboard:token-create"), form, follow=True)
    assert AuthToken.objects.filter(user=client.user).count() == 1
    assert "sent already" in again.content.decode()
    assert "new_key" not in again.context or not again.context["new_key"]
    # A new form (the page loaded again) makes a new token.
    fresh = client.get(reverse("dashboard:account")).context["create_form"].initial["once"]
    assert fresh != once
    assert (
        client.post(reverse("dashboard:token-create"), {"days": 30, "once": fresh}).status_code
        == 201
    )
    assert AuthToken.objects.filter(user=client.user).count() == 2


def test_a_form_refused_at_the_token_limit_can_be_sent_again(client_as, settings):
    """A form whose token was refused (the account at its limit) made nothing: sent
    again once a token is revoked, it makes one, not "sent already, its token made"."""
    settings.API_TOKEN_LIMIT_PER_USER = 1
    client = client_as("checker")
    form = {
        "days": 30,
        "once": client.get(reverse("dashboard:account")).context["create_form"].initial["once"],
    }
    token_create(user=client.user)
    refused = client.post(reverse("dashboard:token-create"), form, follow=True)
    assert "at most 1 tokens" in refused.content.decode()
    AuthToken.objects.filter(user=client.user).delete()
    again = client.post(reverse("dashboard:token-create"), form)
    assert again.status_code == 201 and again.context["new_key"]
    assert AuthToken.objects.filter(user=client.user).count() == 1
