"""A NUL character in an admin list's filter or search (PostgreSQL refuses it in a
query): the admin's "invalid filter" handling or no match, never a 500."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import ClaimFactory, editor

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


def claims_admins():
    """Every ModelAdmin claims/admin.py registers (the People and roles admins too)."""
    import claims.admin  # noqa: F401  (registers them)

    return sorted(
        (ma for ma in admin.site._registry.values() if type(ma).__module__ == "claims.admin"),
        key=lambda ma: ma.model._meta.label,
    )


def changelist_url(model_admin):
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def filter_parameters(model_admin, user):
    """The query parameters of every list filter the changelist shows ``user``."""
    request = RequestFactory().get(changelist_url(model_admin))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    return sorted({p for spec in changelist.filter_specs for p in spec.expected_parameters()})


def answered(response) -> bool:
    """A page, a 400, or the admin's "invalid filter" (the list again, unfiltered)."""
    if response.status_code == 302:
        return response["Location"].endswith("?e=1")
    return response.status_code in (200, 400)


@pytest.mark.postgres
@pytest.mark.parametrize("parameter", ["article", "assignee"])
def test_an_editor_filtering_claims_by_text_with_a_nul_is_answered(client, parameter):
    ClaimFactory()
    client.force_login(editor())
    url = reverse("admin:claims_claim_changelist")
    response = client.get(url, {parameter: NUL})
    assert answered(response), response.status_code


@pytest.mark.postgres
def test_every_admin_filter_and_search_with_a_nul_is_answered(client):
    ClaimFactory()
    root = get_user_model().objects.create_superuser("root", "r@example.org", "pw-root-12345")
    client.force_login(root)
    client.raise_request_exception = False  # a 500 is counted, not raised
    tried, failed = [], []
    for model_admin in claims_admins():
        url = changelist_url(model_admin)
        parameters = filter_parameters(model_admin, root)
        if model_admin.get_search_fields(None):
            parameters.append("q")
        for parameter in parameters:
            response = client.get(url, {parameter: NUL})
            tried.append(parameter)
            if not answered(response):
                failed.append(f"{url}?{parameter}= {response.status_code}")
    assert failed == [], "\n".join(failed)
    assert {"article", "assignee", "q", "publication", "status__exact"} <= set(tried)


@pytest.mark.postgres
def test_a_search_with_a_nul_finds_nothing_and_says_why(client):
    ClaimFactory()
    client.force_login(editor())
    response = client.get(reverse("admin:claims_claim_changelist"), {"q": NUL})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.postgres
def test_an_autocomplete_search_with_a_nul_finds_nothing(client):
    ClaimFactory()
    client.force_login(editor())
    params = {"app_label": "claims", "model_name": "claim", "field_name": "article", "term": NUL}
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code in (200, 403), response.status_code
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_every_admin_here_refuses_a_nul():
    from claims.admin import RefusesNul

    admins = claims_admins()
    assert len(admins) >= 15
    assert [type(ma).__name__ for ma in admins if not isinstance(ma, RefusesNul)] == []
