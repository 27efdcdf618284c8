"""Evidence links pass one validator on every path: dashboard form, API, admin and
the workflow service. http and https only, no bidi or control characters."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from claims.domain import validate_evidence_url
from claims.models import Evidence
from claims.workflow import WorkflowError, evidence_add
from tests.factories import ClaimFactory, editor
from tests.workflow.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

GOOD = ["https://records.example.org/flood", "http://example.com/a?q=1#x", "HTTPS://EXAMPLE.COM/"]
BAD = {
    "ftp://files.example.org/report.pdf": "http:// or https://",
    "javascript:alert(1)": "http:// or https://",
    "file:///etc/passwd": "http:// or https://",
    "https://example.org/\u202egnp.exe": "U+202E",  # right-to-left override
    "https://exa\u2066mple.org/": "U+2066",  # isolate
    "https://example.org/\u200f": "U+200F",  # direction mark
    "https://goo\u200bgle.com/": "U+200B",  # zero-width space: reads as google.com
    "https://goo\u2060gle.com/": "U+2060",  # word joiner
    "https://\ufeffexample.org/": "U+FEFF",  # zero-width no-break space
    "https://goo\u00adgle.com/": "U+00AD",  # soft hyphen
    "https://exa\u3164mple.org/": "U+3164",  # Hangul filler: a letter that draws nothing
    "https://example.org/a\x00b": "U+0000",
    "https://example.org/a\tb": "U+0009",
    "https://": "valid URL",
}
# The forms read a link without a scheme as https (FORMS_URLFIELD_ASSUME_HTTPS), so
# only the API and the service see these as they are.
RAW = {**BAD, "//example.org/x": "http:// or https://", "example.org": "http:// or https://"}


@pytest.mark.parametrize("url", GOOD)
def test_web_links_pass(url):
    validate_evidence_url(url)


@pytest.mark.parametrize("url, says", RAW.items())
def test_the_validator_refuses_with_a_clear_message(url, says):
    with pytest.raises(ValidationError) as info:
        validate_evidence_url(url)
    assert says in " ".join(info.value.messages)


@pytest.mark.parametrize("url, says", RAW.items())
def test_the_service_refuses(url, says):
    claim = ClaimFactory()
    with pytest.raises(WorkflowError, match=says.replace("+", r"\+").replace("/", "/")):
        evidence_add(claim=claim, url=url, user=editor())
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("url, says", BAD.items())
def test_the_dashboard_refuses(url, says):
    claim = ClaimFactory()
    client = Client()
    client.force_login(editor())
    r = client.post(reverse("dashboard:claim-evidence", args=[claim.pk]), {"url": url, "note": ""})
    assert r.status_code == 400
    assert not Evidence.objects.exists()
    if says != "valid URL":  # "https://" alone is "Enter a valid URL." from the URLField
        assert says in html.unescape(r.content.decode())


@pytest.mark.parametrize("url, says", RAW.items())
def test_the_api_refuses(url, says):
    claim = ClaimFactory()
    api = APIClient()
    api.force_authenticate(editor())
    r = api.post(f"/api/v1/claims/{claim.pk}/evidence/", {"url": url}, format="json")
    assert r.status_code == 400
    assert (
        says in r.content.decode("unicode_escape") or says in r.json()["error"]["details"]["url"][0]
    )
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("url, says", BAD.items())
def test_the_admin_refuses(url, says):
    claim = ClaimFactory()
    client = Client()
    client.force_login(editor())
    data = form_data(
        claim,
        **{
            "evidence-TOTAL_FORMS": 1,
            "evidence-0-url": url,
            "evidence-0-note": "",
            "evidence-0-claim": claim.pk,
        },
    )
    r = client.post(change_url(claim), data)
    assert r.status_code == 200  # the form again, with the error
    assert not Evidence.objects.exists()
    if says != "valid URL":
        assert says in html.unescape(r.content.decode())


def test_every_path_accepts_a_good_link():
    claim = ClaimFactory()
    user = editor()
    evidence_add(claim=claim, url=GOOD[0], user=user)
    client = Client()
    client.force_login(user)
    client.post(reverse("dashboard:claim-evidence", args=[claim.pk]), {"url": GOOD[1]})
    api = APIClient()
    api.force_authenticate(user)
    assert (
        api.post(
            f"/api/v1/claims/{claim.pk}/evidence/", {"url": GOOD[2]}, format="json"
        ).status_code
        == 201
    )
    data = form_data(
        claim,
        **{
            "evidence-TOTAL_FORMS": 1,
            "evidence-0-url": GOOD[0] + "/admin",
            "evidence-0-claim": claim.pk,
        },
    )
    assert client.post(change_url(claim), data).status_code == 302
    assert Evidence.objects.count() == 4
