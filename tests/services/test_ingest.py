"""Ingest in the embedded mode (SQLite, tasks run in-process): text, uploads
and URLs become analysed articles; every refusal is an IngestError with a
message for the user and leaves the database as it was. URL tests fetch from a
real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import codecs
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from claims import ingest as ingest_module
from claims.models import AnalysisState, Article, Claim
from claims.services import IngestError
from tests.services.conftest import MARKDOWN_ARTICLE, MARKDOWN_TITLE, SHORT, Page

pytestmark = pytest.mark.django_db


def article_html(seed_text: str) -> str:
    title, _, body = seed_text.partition("\n\n")
    # The body without the byline bullets and the footer line.
    paragraphs = [p for p in body.split("\n\n") if p[:1].isalpha() or p[:1] == '"']
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><script>alert(1)</script></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
        "<li><a href='/subscribe'>Subscribe to our newsletter</a></li></ul></nav>"
        f"<article><h1>{title}</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article><script>document.write('tracking pixel')</script>"
        "<footer>Copyright Example Media. All rights reserved.</footer></body></html>"
    )


def refused(ingest, match: str, **kwargs) -> IngestError:
    """The ingest is refused with a message matching ``match`` and stores nothing."""
    articles, claims = Article.objects.count(), Claim.objects.count()
    with pytest.raises(IngestError, match=match) as info:
        ingest(**kwargs)
    assert str(info.value)  # one clear sentence for the user
    assert (Article.objects.count(), Claim.objects.count()) == (articles, claims)
    return info.value


# --- Text ------------------------------------------------------------------------------


def test_pasted_seed_article_is_analysed_with_its_claims_and_header(ingest, seed_text):
    result = ingest(text=seed_text)
    article = Article.objects.get()
    # (enqueued is None here: the test transaction commits after article_ingest returns.)
    assert result.created and result.enqueued is not False and result.article.pk == article.pk
    assert article.state == AnalysisState.ANALYZED and article.error == ""
    assert article.times_analyzed == 1
    assert 18 <= article.claims.count() <= 26
    assert article.title == "Russia says Assad isn't leaving"
    assert article.author == "Ellen Barry"
    assert article.dateline == "MOSCOW"
    assert article.publication == "New York Times"
    assert article.published_at.date().isoformat() == "2012-12-29"
    assert article.raw_text == seed_text and article.source_url == ""
    claim = article.claims.filter(text__contains="hundreds of people had been killed").get()
    assert claim.confidence_level == "very_low"
    assert all(c.confidence_level for c in article.claims.all())


def test_the_same_text_twice_is_the_same_article(ingest):
    first = ingest(text=SHORT)
    second = ingest(text=SHORT)
    assert first.created and not second.created
    assert second.article.pk == first.article.pk and second.enqueued is None
    assert second.message == "This article was already in the tracker."
    assert Article.objects.count() == 1
    # Windows line endings are the same text.
    third = ingest(text=SHORT.replace("\n", "\r\n"))
    assert not third.created and Article.objects.count() == 1


@pytest.mark.parametrize(
    "variant",
    [
        lambda t: t + "\n",
        lambda t: "   " + t,
        lambda t: t.replace(" ", "\u00a0", 1),
        lambda t: t.replace("\n", "  \n\n\n", 1),
        lambda t: t.replace("\n", "\u2028", 1),
    ],
    ids=["trailing newline", "leading spaces", "no-break space", "blank lines", "LS"],
)
def test_the_same_text_spaced_otherwise_is_the_same_article(ingest, variant):
    first = ingest(text=SHORT)
    again = ingest(text=variant(SHORT))
    assert not again.created and again.article.pk == first.article.pk
    assert Article.objects.count() == 1
    # The stored text is the one given first, untouched (claims' offsets point into it).
    assert Article.objects.get().raw_text == SHORT


def test_old_content_hashes_are_recomputed_by_the_migration(ingest):
    """Migration 0027: rows hashed from the raw text get the hash of its hash form;
    of two rows that now share one, the one already in that form keeps it and
    the other keeps its old digest (a unique column)."""
    import hashlib
    import importlib

    from django.apps import apps

    from claims.domain import content_hash
    from tests.factories import ArticleFactory

    migration = importlib.import_module("claims.migrations.0027_content_hash_normalised")

    def old(text):  # the hash as it was taken before: of the raw text
        return ArticleFactory(raw_text=text, content_hash=hashlib.sha256(text.encode()).hexdigest())

    spaced, other = old(SHORT + "\n"), old("Another story\n\nThe mayor said so.\n")
    plain = ArticleFactory(raw_text="A third story.")
    variant = old("  A third story.")
    fetching = ArticleFactory(raw_text="", content_hash="fetching:1234")

    migration.forwards(apps, None)
    hashes = dict(Article.objects.values_list("pk", "content_hash"))
    assert hashes[spaced.pk] == content_hash(SHORT)
    assert hashes[other.pk] == content_hash(other.raw_text)
    assert hashes[plain.pk] == content_hash("A third story.")
    assert hashes[variant.pk] == variant.content_hash  # collides: left as it was
    assert hashes[fetching.pk] == "fetching:1234"
    again = ingest(text=SHORT)
    assert not again.created and again.article.pk == spaced.pk


def test_the_migration_gives_an_article_and_its_current_version_row_one_digest(ingest):
    """Migration 0027 decides each new digest across both tables: of two
    articles whose texts differ only in spacing, the one that keeps its old
    digest keeps it on its current version row too, and the one that takes the
    new digest can still get its first version rows (which copy its digest)."""
    import hashlib
    import importlib

    from django.apps import apps

    from claims.domain import content_hash
    from claims.models import ArticleVersion
    from claims.services import versions
    from tests.factories import ArticleFactory

    migration = importlib.import_module("claims.migrations.0027_content_hash_normalised")

    def old(text):  # the hash as it was taken before: of the raw text
        return hashlib.sha256(text.encode()).hexdigest()

    text = "Officials said the bridge will reopen in May. The mayor said so."
    first = ArticleFactory(raw_text=text + "\n", content_hash=old(text + "\n"))  # no versions
    second = ArticleFactory(raw_text=" " + text, content_hash=old(" " + text), version=2)
    earlier = "Officials said the bridge would reopen in April.\n"
    for number, raw_text in ((1, earlier), (2, second.raw_text)):
        ArticleVersion.objects.create(
            article=second,
            number=number,
            raw_text=raw_text,
            content_hash=old(raw_text),
            created_at=timezone.now(),
        )

    migration.forwards(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.content_hash == content_hash(text)
    assert second.content_hash == old(" " + text)  # collides: left as it was
    assert second.versions.get(number=2).content_hash == second.content_hash
    assert second.versions.get(number=1).content_hash == content_hash(earlier)
    versions.article_version_add(article=first, text=text + " The council agreed.", fields={})
    assert first.versions.get(number=1).content_hash == content_hash(text)
    assert ingest(text=earlier).article.pk == second.pk


# --- Uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["story.txt", "story.md", "STORY.TXT"])
def test_a_text_or_markdown_upload(ingest, name):
    upload = SimpleUploadedFile(name, SHORT.encode(), content_type="text/plain")
    result = ingest(upload=upload)
    article = Article.objects.get()
    assert result.created and article.raw_text == SHORT
    assert article.state == AnalysisState.ANALYZED and article.claims.exists()


@pytest.mark.parametrize("name", ["hospital.md", "hospital.markdown"])
def test_a_markdown_upload_is_plain_text_with_its_header(ingest, name):
    upload = SimpleUploadedFile(name, MARKDOWN_ARTICLE.encode(), content_type="text/markdown")
    ingest(upload=upload)
    article = Article.objects.get()
    assert article.title == MARKDOWN_TITLE
    assert (article.author, article.publication) == ("Ana Ruiz", "Northern Herald")
    assert article.published_at.date().isoformat() == "2024-03-04"
    text = article.raw_text
    assert text.startswith(f"{MARKDOWN_TITLE}\n\nBy Ana Ruiz\nNorthern Herald\n")
    assert not any(mark in text for mark in ("#", "*", "](", "https://example.org"))
    assert "that average waits\nin emergency departments rose to 14 hours" in text
    assert "• 18 of the 24 hospitals missed the four-hour target." in text
    assert article.state == AnalysisState.ANALYZED
    assert article.claims.filter(text__contains="14 hours").exists()


def test_an_html_upload_keeps_the_article_text_and_drops_scripts_and_navigation(ingest, seed_text):
    html = article_html(seed_text)
    result = ingest(upload=SimpleUploadedFile("story.html", html.encode(), "text/html"))
    article = Article.objects.get()
    assert result.created and article.state == AnalysisState.ANALYZED
    text = article.raw_text
    assert "as many as hundreds of people had been killed" in text
    for junk in ("alert(1)", "<script", "<p>", "tracking pixel", "Subscribe to our newsletter"):
        assert junk not in text
    assert article.title == "Russia says Assad isn't leaving"
    assert article.claims.count() >= 10
    assert not Claim.objects.filter(text__contains="alert").exists()


@pytest.mark.parametrize("before", ["", "\n  ", "\ufeff"])
def test_a_pasted_html_page_is_read_as_an_uploaded_one(ingest, seed_text, before):
    """A page's source pasted into the text box (the editor copied "view source")
    gives the article an upload of the page gives, not its tags: the title was
    "<!doctype html>" and "<p>Dock workers ..." and "<script>..." were claims."""
    html = before + article_html(seed_text)
    ingest(upload=SimpleUploadedFile("story.html", article_html(seed_text).encode()))
    uploaded = Article.objects.get()
    uploaded_claims = sorted(uploaded.claims.values_list("text", flat=True))
    Article.objects.all().delete()
    result = ingest(text=html)
    article = Article.objects.get()
    assert result.created and article.state == AnalysisState.ANALYZED
    assert article.title == "Russia says Assad isn't leaving"
    assert article.raw_text == uploaded.raw_text
    assert sorted(article.claims.values_list("text", flat=True)) == uploaded_claims
    assert not Claim.objects.filter(text__contains="<").exists()


def test_a_pasted_page_larger_than_its_text_may_be_is_read_as_its_upload_is(
    ingest, seed_text, settings
):
    """A page's source is mostly scripts and markup: an upload of it may be 4 x
    INGEST_MAX_BYTES, its text at most INGEST_MAX_BYTES. Pasted, a page over
    INGEST_MAX_BYTES was refused ("The article is ... bytes; the limit is ...")
    though the same page uploaded became the article."""
    html = article_html(seed_text)
    script = "<script>var tracking = '" + "x" * (2 * len(html)) + "';</script>"
    page = html.replace("</head>", script + "</head>")
    settings.INGEST_MAX_BYTES = len(html) + 1000  # the text fits; the page is 3 x that
    ingest(upload=SimpleUploadedFile("story.html", page.encode()))
    uploaded = Article.objects.get()
    Article.objects.all().delete()
    ingest(text=page)
    assert Article.objects.get().raw_text == uploaded.raw_text


def test_pasted_text_that_speaks_of_html_stays_text(ingest):
    """Only a page's source is read as HTML: an article that opens with a tag in
    its words, or quotes one, is the text it is."""
    text = (
        "<html> tags in emails\n\nThe company said 40 percent of its staff opened the "
        "<script> test message in 2025.\n"
    )
    ingest(text=text)
    assert Article.objects.get().raw_text == text


@pytest.mark.parametrize("name", ["story.pdf", "story.docx", "story"])
def test_an_unsupported_file_type(ingest, name):
    upload = SimpleUploadedFile(name, SHORT.encode())
    refused(ingest, "Unsupported file type", upload=upload)


def test_an_upload_that_is_not_utf8(ingest):
    upload = SimpleUploadedFile("story.txt", SHORT.encode("latin-1") + "caf\xe9".encode("latin-1"))
    refused(ingest, "not valid UTF-8", upload=upload)


def test_an_upload_of_binary_bytes(ingest):
    upload = SimpleUploadedFile("story.txt", bytes(range(256)) * 8)
    refused(ingest, "binary", upload=upload)


def test_an_upload_over_the_limit(ingest, settings):
    settings.INGEST_MAX_BYTES = 100
    refused(ingest, "limit is 100 bytes", upload=SimpleUploadedFile("a.txt", SHORT.encode()))
    big = SimpleUploadedFile("a.txt", SHORT.encode() * 10)
    refused(ingest, "too large", upload=big)


def test_an_html_upload_with_no_article_in_it(ingest):
    html = b"<html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
    refused(ingest, "No article text", upload=SimpleUploadedFile("a.html", html))


# --- Bad text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("   \n\t  \n", "empty"),
        ("\ufeff\u200b\n\u200b", "empty"),
        ("\x00\x01\x02\x03 binary \x04\x05\x06", "binary"),
        ("header\n" + "\x01\x02\x03\x04\x05" * 50, "binary"),
    ],
    ids=["whitespace", "invisible", "nul-bytes", "control-characters"],
)
def test_text_that_is_not_an_article(ingest, text, match):
    refused(ingest, match, text=text)


def test_nothing_given(ingest):
    refused(ingest, "exactly one of", text="")
    refused(ingest, "exactly one of")


def test_two_inputs_at_once(ingest):
    refused(ingest, "exactly one of", text=SHORT, url="https://example.org/a")


def test_text_over_the_limit(ingest, settings):
    settings.INGEST_MAX_BYTES = 100
    error = refused(ingest, "the limit is 100 bytes", text=SHORT)
    assert f"{len(SHORT.encode()):,} bytes" in str(error)


# --- URLs ------------------------------------------------------------------------------
# A URL's shape (and a literal address) is checked at once; the page is fetched
# by a task, after the commit: a page that cannot be had fails the article.


def fetch_failed(ingest, match: str, url: str) -> Article:
    """The URL is taken, its fetch fails with a message matching ``match``, and
    the article is left failed, with no text and no claims."""
    result = ingest(url=url)
    assert result.created and result.fetching
    article = Article.objects.get(pk=result.article.pk)
    assert article.state == AnalysisState.FAILED, article.state
    assert re.search(match, article.error), article.error
    assert article.raw_text == "" and not article.claims.exists()
    assert "127.0.0.1" not in article.error  # no address in any message
    return article


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/story",
        "http://10.1.2.3/story",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/story",
        "http://[::ffff:127.0.0.1]/story",
        "http://[64:ff9b::7f00:1]:8302/",  # NAT64
        "http://[2002:7f00:1::]/story",  # 6to4
        "http://[::7f00:1]/story",  # IPv4-compatible
        "http://192.0.0.8/story",  # public to Python 3.11.7 (CVE-2024-4032)
    ],
)
def test_a_url_to_a_literal_private_address_is_refused_at_once(ingest, settings, url):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    error = refused(ingest, "private or local address", url=url)
    assert "127.0.0.1" not in str(error) and "169.254" not in str(error)


def test_a_name_that_resolves_to_a_private_address_fails_its_fetch(ingest, settings):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    fetch_failed(ingest, "private or local address", "http://localhost/story")


def test_a_url_to_the_local_server_is_refused_without_the_setting(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = False
    local_http.pages["/story"] = Page(SHORT.encode(), content_type="text/plain")
    refused(ingest, "private or local address", url=local_http.url("/story"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a", "example.org"])
def test_only_http_urls(ingest, url):
    refused(ingest, "Only http", url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org:70000/story",
        "http://example.org:8o/story",
        "http://example.org:0/story",
        "http://[::1/story",
    ],
)
def test_a_malformed_url_is_refused_at_once(ingest, url):
    refused(ingest, "malformed|Only http", url=url)


def test_a_url_that_does_not_answer_in_time(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    settings.INGEST_URL_TIMEOUT = 0.5
    local_http.pages["/slow"] = Page(SHORT.encode(), content_type="text/plain", delay=5)
    started = timezone.now()
    fetch_failed(ingest, r"did not arrive within 0\.5 s", local_http.url("/slow"))
    assert timezone.now() - started < timedelta(seconds=4)


def test_a_url_that_returns_404(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    fetch_failed(ingest, "HTTP 404", local_http.url("/missing"))


def test_a_page_over_the_size_limit(ingest, settings, local_http, seed_text):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    settings.INGEST_URL_MAX_BYTES = 10_000
    local_http.pages["/big"] = Page(article_html(seed_text * 10).encode())
    fetch_failed(ingest, "larger than 10,000 bytes", local_http.url("/big"))


def test_a_url_that_is_not_text(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/pic"] = Page(b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
    fetch_failed(ingest, "image/png, not an article", local_http.url("/pic"))


def test_an_html_article_from_a_url(ingest, settings, local_http, seed_text):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/world/assad"] = Page(article_html(seed_text).encode())
    url = local_http.url("/world/assad")
    result = ingest(url=url)
    article = Article.objects.get()
    assert result.created and article.source_url == url
    assert article.state == AnalysisState.ANALYZED and article.claims.count() >= 10
    assert article.title == "Russia says Assad isn't leaving"
    assert "alert(1)" not in article.raw_text and "Subscribe" not in article.raw_text


def attribute_bomb(count: int, *, quote_gt: bool = False) -> bytes:
    """An article page whose one paragraph tag carries ``count`` attributes: the
    HTML parser checks each attribute's name against all the tag's others, so the
    parse takes time that grows with the square of ``count`` (30,000: about 20 s;
    a 5 MB page: most of an hour). ``quote_gt`` puts a quoted ">" among them,
    which does not end the tag."""
    names = [f'a{i}="x>y"' if quote_gt and i % 50 == 0 else f"a{i}" for i in range(count)]
    return (
        "<html><head><title>Bridges closed</title></head><body><article><p "
        + " ".join(names)
        + ">The mayor said on Friday that 12 bridges closed in the city.</p>"
        "</article></body></html>"
    ).encode()


@pytest.mark.parametrize("quote_gt", [False, True])
def test_a_page_with_a_tag_of_thousands_of_attributes_fails_at_once(
    ingest, settings, local_http, quote_gt
):
    """Such a page is no article: it fails with the reason within a second or two,
    instead of holding a worker (or, uploaded, a web process) for minutes."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/bomb"] = Page(attribute_bomb(30_000, quote_gt=quote_gt))
    started = timezone.now()
    fetch_failed(ingest, "more than 200 attributes", local_http.url("/bomb"))
    assert timezone.now() - started < timedelta(seconds=5)


def test_an_uploaded_page_with_a_tag_of_thousands_of_attributes_is_refused(ingest):
    started = timezone.now()
    upload = SimpleUploadedFile("bomb.html", attribute_bomb(30_000))
    refused(ingest, "more than 200 attributes", upload=upload)
    assert timezone.now() - started < timedelta(seconds=5)


@pytest.mark.parametrize(
    "before", ["<!-->", "<!--->", "<!-- a --!>", "<!-- a -->", "<![CDATA[ x ]]>", "<?php ?>"]
)
def test_a_comment_closed_the_ways_html5_closes_one_does_not_hide_a_bomb(before):
    """The parser ends a comment at "<!-->", "<!--->" and "--!>" as well as "-->":
    a scan that read on to the next "-->" would not see the tag after it."""
    page = attribute_bomb(30_000).decode()
    page = page.replace("<article>", f"<article>{before}", 1).replace("</p>", "</p> -->", 1)
    started = timezone.now()
    with pytest.raises(IngestError, match="more than 200 attributes"):
        ingest_module.html_to_text(page)
    assert timezone.now() - started < timedelta(seconds=5)


def test_tags_with_many_attributes_each_within_the_limit_are_read(ingest, settings, local_http):
    """The limit is per tag: a page of many tags, each with up to 200 attributes
    (and markup-like text in its scripts, comments and quoted values), is read."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    wide = " ".join(f'data-k{i}="v"' for i in range(200))
    script = "<script>var s = '<p " + " ".join(f"x{i}" for i in range(500)) + "';</script>"
    comment = "<!-- <p " + " ".join(f"y{i}" for i in range(500)) + " -->"
    page = (
        f"<html><head><title>Bridges closed</title>{script}</head><body>{comment}<article>"
        + "".join(
            f"<p {wide}>The mayor said on Friday that {n} bridges closed.</p>" for n in range(20)
        )
        + "</article></body></html>"
    )
    local_http.pages["/wide"] = Page(page.encode())
    result = ingest(url=local_http.url("/wide"))
    article = Article.objects.get(pk=result.article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert "19 bridges closed" in article.raw_text


def test_a_plain_text_article_from_a_url(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/a.txt"] = Page(SHORT.encode(), content_type="text/plain; charset=utf-8")
    result = ingest(url=local_http.url("/a.txt"))
    result.article.refresh_from_db()
    assert result.article.raw_text == SHORT and result.article.source_url.endswith("/a.txt")
    assert result.article.state == AnalysisState.ANALYZED


# --- Charsets --------------------------------------------------------------------------
# A page is decoded by the charset it declares (the Content-Type's, then its <meta>),
# else detected, as a browser would; a byte-order mark says UTF-16 or UTF-32.

CAFE = (
    "Caf\u00e9 prices \u201crise\u201d\n\n"
    "RIVERTON - The caf\u00e9 owner, Ren\u00e9e Ruiz, said on Monday that prices had risen "
    "by 12 per cent. Residents said as many as 40 caf\u00e9s had closed.\n"
)


def cafe_html(meta: str = "") -> str:
    title, _, body = CAFE.partition("\n\n")
    return (
        f"<html><head>{meta}<title>{title}</title></head><body>"
        f"<article><h1>{title}</h1><p>{body.strip()}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (cafe_html().encode("cp1252"), "text/html; charset=windows-1252"),
        (cafe_html().encode("cp1252"), "text/html; charset=ISO-8859-1"),
        (cafe_html("<meta charset='windows-1252'>").encode("cp1252"), "text/html"),
        (
            cafe_html(
                '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            ).encode("cp1252"),
            "text/html",
        ),
        (cafe_html().encode("utf-16"), "text/html"),
        (cafe_html().encode("utf-32"), ""),
    ],
    ids=["header-1252", "header-latin1", "meta-charset", "meta-http-equiv", "utf16", "utf32"],
)
def test_a_page_is_decoded_by_its_declared_charset(
    ingest, settings, local_http, body, content_type
):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/cafe"] = Page(body, content_type=content_type)
    article = Article.objects.get(pk=ingest(url=local_http.url("/cafe")).article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert "Ren\u00e9e Ruiz" in article.raw_text and "\ufffd" not in article.raw_text
    assert article.title == "Caf\u00e9 prices \u201crise\u201d"


def test_an_undeclared_latin1_text_page_is_detected(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/cafe.txt"] = Page(CAFE.encode("cp1252"), content_type="text/plain")
    article = Article.objects.get(pk=ingest(url=local_http.url("/cafe.txt")).article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert "Ren\u00e9e Ruiz" in article.raw_text


@pytest.mark.parametrize(
    "body",
    [
        # windows-1252 throughout, and UTF-8 with a CMS's pasted curly quotes
        CAFE.encode("cp1252"),
        CAFE.encode().replace("\u201c".encode(), b"\x93").replace("\u201d".encode(), b"\x94"),
    ],
)
def test_a_page_that_says_utf8_but_is_not_is_read_as_a_browser_shows_it(
    ingest, settings, local_http, body
):
    """Real news sites send windows-1252 bytes under "charset=utf-8": a browser
    shows the page, so the desk gets the article, those bytes read as windows-1252
    and the UTF-8 around them as UTF-8. An upload is still refused (below)."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/mixed"] = Page(body, content_type="text/plain; charset=utf-8")
    article = Article.objects.get(pk=ingest(url=local_http.url("/mixed")).article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert article.raw_text == CAFE


def test_an_upload_not_in_utf8_fails_in_words(ingest):
    with pytest.raises(IngestError, match=r"^The file cannot be read .* not valid UTF-8"):
        ingest(upload=SimpleUploadedFile("story.txt", CAFE.encode("cp1252")))


def test_a_binary_page_fails_in_words_for_a_page(ingest, settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/bin"] = Page(b"\x00\x01PK" * 100, content_type="text/html")
    fetch_failed(ingest, "binary data", local_http.url("/bin"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("name", ["story.txt", "story.html"])
def test_a_utf16_or_utf32_upload_with_a_byte_order_mark(ingest, name, encoding):
    text = CAFE if name.endswith(".txt") else cafe_html()
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    article = ingest(upload=SimpleUploadedFile(name, data)).article
    assert "Ren\u00e9e Ruiz" in article.raw_text and article.title.startswith("Caf\u00e9")


def test_an_html_upload_in_its_meta_charset(ingest):
    data = cafe_html("<meta charset=windows-1252>").encode("cp1252")
    article = ingest(upload=SimpleUploadedFile("story.html", data)).article
    assert "Ren\u00e9e Ruiz" in article.raw_text


@pytest.mark.parametrize(
    "charset",
    ["base64", "rot13", "zlib", "hex", "utf-7", "undefined", "utf-16", "x-junk",
     "cp500", "cp037", "cp1140"],
)  # fmt: skip
def test_a_charset_no_page_is_written_in_is_ignored(ingest, settings, local_http, charset):
    """Python knows these names, but they are bytes codecs, escapes, UTF-7 (which
    browsers refuse), UTF-16 without its byte-order mark or EBCDIC, which no browser
    reads (the page was read as EBCDIC and refused as binary): the page is read as
    if it declared nothing, not a crash (LookupError) nor garbage."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    for where, (body, content_type) in {
        "header": (cafe_html().encode(), f"text/html; charset={charset}"),
        "meta": (cafe_html(f'<meta charset="{charset}">').encode(), "text/html"),
    }.items():
        local_http.pages[f"/{where}"] = Page(body, content_type=content_type)
        result = ingest(url=local_http.url(f"/{where}"))
        article = Article.objects.get(pk=result.article.pk)
        assert article.state == AnalysisState.ANALYZED, (where, article.error)
        assert "Ren\u00e9e Ruiz" in article.raw_text, where
        article.delete()


def test_odd_charset_parameters_and_a_utf8_mark(ingest, settings, local_http):
    """An RFC 2231 charset*= (a tuple, which crashed the fetch), a NUL in the label,
    and UTF-8's byte-order mark, which says UTF-8 whatever the page declares."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    pages = {
        "/rfc2231": (cafe_html().encode(), "text/html; charset*=utf-8''utf-8"),
        "/nul": (cafe_html().encode(), 'text/html; charset="utf\\x00-8"'.replace("\\x00", "\x00")),
        "/bom": (codecs.BOM_UTF8 + cafe_html().encode(), "text/html; charset=ISO-8859-1"),
        "/bom-meta": (
            codecs.BOM_UTF8 + cafe_html("<meta charset='windows-1252'>").encode(),
            "text/html",
        ),
    }
    for path, (body, content_type) in pages.items():
        local_http.pages[path] = Page(body, content_type=content_type)
        article = Article.objects.get(pk=ingest(url=local_http.url(path)).article.pk)
        assert article.state == AnalysisState.ANALYZED, (path, article.error)
        assert "Ren\u00e9e Ruiz" in article.raw_text and "\u00c3" not in article.raw_text, path
        article.delete()
    data = codecs.BOM_UTF8 + cafe_html("<meta charset='windows-1252'>").encode()
    article = ingest(upload=SimpleUploadedFile("story.html", data)).article
    assert "Ren\u00e9e Ruiz" in article.raw_text


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [("gb2312", "镕基说", "gbk"), ("shift_jis", "①東京", "cp932"), ("euc-kr", "똠방", "cp949"),
     ("x-gbk", "镕基说", "gbk"), ("x-sjis", "①東京", "cp932"), ("windows-31j", "①東京", "cp932"),
     ("windows-874", "ราคาข้าว", "cp874"), ("tis-620", "ราคาข้าว", "cp874")],
)  # fmt: skip
def test_a_legacy_charset_is_read_as_browsers_read_it(
    ingest, settings, local_http, label, text, codec
):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    body = f"Rising prices\n\nThe mayor said on Monday that {text} prices rose by 12 per cent.\n"
    local_http.pages["/legacy"] = Page(
        body.encode(codec), content_type=f"text/plain; charset={label}"
    )
    article = Article.objects.get(pk=ingest(url=local_http.url("/legacy")).article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert text in article.raw_text


@pytest.mark.parametrize(
    ("label", "word", "codec"),
    [("ISO-8859-1", "caf\u00e9", "cp1252"), ("iso-8859-9", "\u011fida", "cp1254"),
     ("iso-8859-11", "\u0e01\u0e32\u0e41\u0e1f", "cp874")],
)  # fmt: skip
def test_a_byte_windows_leaves_undefined_is_a_c1_control(
    ingest, settings, local_http, label, word, codec
):
    """0x81 in a latin-1 page (read as windows-1252) is U+0081 to a browser, where
    Python's cp1252 has no character: the page is read, not refused."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    body = f"Rising prices\n\nThe mayor said on Monday that {word} prices rose by 12 per cent.\n"
    data = body.encode(codec).replace(b"Monday", b"Monday\x81")
    local_http.pages["/c1"] = Page(data, content_type=f"text/plain; charset={label}")
    article = Article.objects.get(pk=ingest(url=local_http.url("/c1")).article.pk)
    assert article.state == AnalysisState.ANALYZED, article.error
    assert f"Monday\x81 that {word} prices" in article.raw_text
