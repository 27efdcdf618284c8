"""What a published web page becomes: its headline and its article text, as URL
ingest and HTML uploads read them (claims.ingest.html_to_text). The pages are
small ones written for these tests, shaped like real news sites' markup."""

from __future__ import annotations

import pytest

from claims import analysis
from claims.ingest import IngestError, html_to_text, text_from_url
from tests.services.conftest import Page

PARAGRAPHS = (
    "The city council voted on Tuesday to close two of its five public libraries, "
    "citing a budget gap of 4.2 million dollars.",
    "Council member Ana Ruiz said the closures would save 1.1 million dollars a year.",
    "The libraries served about 60,000 visitors last year, according to city figures.",
)


def page(title: str, *, head: str = "", body: str = "") -> str:
    """A news page whose <title> and og:title are ``title``, as most sites write them."""
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='og:title' content='{title}'>{head}</head>"
        "<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<main><article>"
        + body
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</article></main><footer>Contact us</footer></body></html>"
    )


def title_of(html: str, url: str | None = None) -> str | None:
    return analysis.parse_header(html_to_text(html, url=url)).title


OG_SITE = "<meta property='og:site_name' content='The Daily Example'>"


@pytest.mark.parametrize(
    ("title", "head", "url"),
    [
        ("Council closes two libraries | The Daily Example", OG_SITE, None),
        ("Council closes two libraries - The Daily Example", OG_SITE, None),
        ("The Daily Example » Council closes two libraries", OG_SITE, None),
        ("Council closes two libraries - dailyexample.com", "", None),
        ("Council closes two libraries | Daily Example", "", "https://www.dailyexample.com/a"),
    ],
)
def test_the_site_name_is_not_part_of_the_headline(title, head, url):
    assert title_of(page(title, head=head), url) == "Council closes two libraries"


def test_a_short_headline_that_begins_the_first_paragraph_is_still_the_title():
    html = page(
        "Penny | Example Wiki", head="<meta property='og:site_name' content='Example Wiki'>"
    )
    html = html.replace("<article>", "<article><p>Penny is a villager who lives in the town.</p>")
    text = html_to_text(html)
    assert analysis.parse_header(text).title == "Penny"
    assert text.startswith("Penny\n\nPenny is a villager")


def test_a_first_line_that_is_a_longer_headline_is_the_title():
    html = page("Council closes two libraries", head=OG_SITE)
    h1 = "Council closes two libraries - and a budget gap remains"
    text = html_to_text(html.replace("<article>", f"<article><h1>{h1}</h1>"))
    assert text.startswith(h1 + "\n") and analysis.parse_header(text).title == h1


@pytest.mark.parametrize(
    "title",
    [
        "Council closes libraries – but not for long",
        "Libraries - a budget story from Example - and what comes next",
        "Love is War - Sehnsucht von R. K. Lilley",
    ],
)
def test_a_headline_with_a_dash_of_its_own_is_kept(title):
    assert title_of(page(title, head=OG_SITE), "https://www.dailyexample.com/a") == title


def test_a_page_with_stray_nul_bytes_in_its_markup_is_read(settings, local_http):
    """A CMS left a run of NUL bytes after a banner's tag; a browser shows the page."""
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    html = page("Council closes two libraries", body="<img src='/b.gif' alt=''>" + "\0" * 11)
    local_http.pages["/news/libraries"] = Page(html.encode())
    text = text_from_url(local_http.url("/news/libraries"))
    assert PARAGRAPHS[1] in text and "\0" not in text


def test_a_binary_page_full_of_nul_bytes_is_still_refused(settings, local_http):
    settings.INGEST_ALLOW_PRIVATE_URLS = True
    local_http.pages["/blob"] = Page(b"<html>" + bytes(range(256)) * 40)
    with pytest.raises(IngestError, match="binary"):
        text_from_url(local_http.url("/blob"))


def test_an_article_laid_out_in_a_table_is_found():
    """Older sites and some CMS templates put the story in a layout table; the
    precise extraction prunes it all, and the page was refused as having none."""
    html = page("Council closes two libraries | The Daily Example", head=OG_SITE)
    cells = "<br><br>".join(PARAGRAPHS)
    html = html.replace(html[html.index("<main>") : html.index("</main>") + 7], "")
    html = html.replace("<footer>", f"<table><tr><td>{cells}</td></tr></table><footer>")
    text = html_to_text(html)
    assert all(p in text for p in PARAGRAPHS)
    assert analysis.parse_header(text).title == "Council closes two libraries"


def test_a_page_with_no_article_is_still_refused():
    html = "<html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
    with pytest.raises(IngestError, match="No article text"):
        html_to_text(html)


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Storm hits the coast - Time to rebuild", "https://time.com/a"),
        ("Council closes two libraries | Vote for the budget", "https://www.vote.org/a"),
        ("Storm hits Sydney - Latest news updates", "https://www.news.com.au/a"),
    ],
)
def test_a_part_of_the_headline_with_the_host_in_a_word_is_kept(title, url):
    """The host's name ("time", "vote") inside a part in lower-case words is a
    word of the headline, not the site's name."""
    assert title_of(page(title), url) == title
