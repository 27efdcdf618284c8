"""The ingest page: pasted text, a file or a URL; errors shown, nothing lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Article
from tests.services.conftest import MARKDOWN_ARTICLE, MARKDOWN_TITLE

pytestmark = pytest.mark.django_db

TEXT = (
    "Bridge closure questioned\n\n"
    "The transport minister, Lea Park, said on Friday that the bridge was safe. "
    "Engineers said as many as 30 cracks had been found."
)


def test_the_form_has_labelled_fields(client_as):
    html = client_as("editor").get(reverse("dashboard:ingest")).content.decode()
    for field in ("text", "upload", "url"):
        assert f'<label for="id_{field}">' in html
    assert 'enctype="multipart/form-data"' in html


def test_pasted_text_becomes_an_article_and_goes_to_its_page(client_as):
    client = client_as("editor")
    response = client.post(reverse("dashboard:ingest"), {"text": TEXT})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:article", args=[article.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Article saved; analysis queued." in page
    assert article.title == "Bridge closure questioned" and article.created_by == client.user


def test_the_same_text_twice_is_one_article(client_as):
    client = client_as("editor")
    client.post(reverse("dashboard:ingest"), {"text": TEXT})
    again = client.post(reverse("dashboard:ingest"), {"text": TEXT}, follow=True)
    assert "This article was already in the tracker." in again.content.decode()
    assert Article.objects.count() == 1


def test_an_upload(client_as):
    upload = SimpleUploadedFile("story.txt", TEXT.encode(), content_type="text/plain")
    response = client_as("editor").post(reverse("dashboard:ingest"), {"upload": upload})
    assert response.status_code == 302 and Article.objects.count() == 1


def test_a_markdown_upload_gets_its_heading_as_title(client_as):
    upload = SimpleUploadedFile("hospital.md", MARKDOWN_ARTICLE.encode(), "text/markdown")
    response = client_as("editor").post(reverse("dashboard:ingest"), {"upload": upload})
    article = Article.objects.get()
    assert response.status_code == 302 and article.title == MARKDOWN_TITLE
    assert article.publication == "Northern Herald" and "*" not in article.raw_text


def test_nothing_given(client_as):
    response = client_as("editor").post(reverse("dashboard:ingest"), {"text": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give exactly one of: pasted text, a file, or a URL." in html
    assert 'role="alert"' in html


def test_two_inputs_at_once_keep_the_text(client_as):
    response = client_as("editor").post(
        reverse("dashboard:ingest"), {"text": TEXT, "url": "https://example.org/story"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give exactly one of" in html
    assert "as many as 30 cracks had been found.</textarea>" in html
    assert 'value="https://example.org/story"' in html
    assert not Article.objects.exists()


def test_unusable_text_keeps_the_text(client_as):
    junk = "\x00\x01\x02 binary junk"
    response = client_as("editor").post(reverse("dashboard:ingest"), {"text": junk})
    assert response.status_code == 400
    assert "The article was not added." in response.content.decode()
    assert not Article.objects.exists()


def test_a_bad_file_type(client_as):
    upload = SimpleUploadedFile("story.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client_as("editor").post(reverse("dashboard:ingest"), {"upload": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Unsupported file type .pdf" in html and "choose it again" in html


def test_a_malformed_url(client_as):
    response = client_as("editor").post(reverse("dashboard:ingest"), {"url": "not a url"})
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()


def test_a_private_url_is_refused(client_as, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    response = client_as("editor").post(
        reverse("dashboard:ingest"), {"url": "http://127.0.0.1:9/story"}
    )
    assert response.status_code == 400
    assert not Article.objects.exists()


def test_too_large(client_as, settings):
    settings.INGEST_MAX_BYTES = 100
    response = client_as("editor").post(reverse("dashboard:ingest"), {"text": TEXT})
    html = response.content.decode()
    assert response.status_code == 400 and "the limit is 100 bytes" in html
    assert "Bridge closure questioned" in html  # the text is still in the textarea


def test_a_url_with_a_port_out_of_range_is_400(client_as):
    response = client_as("editor").post(
        reverse("dashboard:ingest"), {"url": "http://example.org:70000/story"}
    )
    assert response.status_code == 400
    assert "malformed" in response.content.decode() or "valid URL" in response.content.decode()
    assert not Article.objects.exists()


def test_a_url_article_shows_its_fetch_in_progress(client_as, monkeypatch):
    monkeypatch.setattr("claims.tasks.start_fetch", lambda article_id, run_id: True)
    client = client_as("editor")
    response = client.post(reverse("dashboard:ingest"), {"url": "https://example.org/story"})
    article = Article.objects.get()
    assert response.status_code == 302 and article.state == "fetching"
    html = client.get(reverse("dashboard:article", args=[article.pk])).content.decode()
    assert "fetching the page" in html
    assert f"{reverse('dashboard:article-state', args=[article.pk])}?shown=fetching" in html


def test_a_markdown_upload_too_costly_to_convert_is_a_form_error(client_as):
    # 4 MB of "![" (the largest upload read) took about 90 s to convert, past
    # gunicorn's timeout: the worker was killed and the editor got no answer.
    upload = SimpleUploadedFile("images.md", b"![" * (2 * 1024 * 1024), "text/markdown")
    response = client_as("editor").post(reverse("dashboard:ingest"), {"upload": upload})
    html = response.content.decode()
    assert response.status_code == 400 and Article.objects.count() == 0
    assert "more than the 10,000 an article may have to be converted" in html


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_message_says_the_article_is_analysed(client_as):
    """scripts/run's embedded mode analyses the article in the request, as its
    transaction commits: the page said "Article saved; analysis queued." above
    "Analysis: Analysed" and its claims."""
    client = client_as("editor")
    page = client.post(reverse("dashboard:ingest"), {"text": TEXT}, follow=True)
    html = page.content.decode()
    assert Article.objects.get().state == "analyzed"
    assert "Article saved and analysed." in html and "analysis queued" not in html
