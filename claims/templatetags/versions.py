"""Word diffs of article versions and of a changed claim, as HTML: every piece of
text escaped, only our own <del>/<ins> around it."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.analysis.versions import word_diff

register = template.Library()


@register.filter
def diff_html(pieces) -> SafeString:
    """("equal" | "delete" | "insert" | "skip", text) pieces as HTML; a "skip"
    holds how many unchanged lines are left out."""
    out = []
    for op, text in pieces:
        if op == "delete":
            out.append(f"<del>{escape(text)}</del>")
        elif op == "insert":
            out.append(f"<ins>{escape(text)}</ins>")
        elif op == "skip":
            n = int(text)
            out.append(
                f'<span class="diff-skip">[{n} unchanged line{"s" if n != 1 else ""}]</span>\n'
            )
        else:
            out.append(escape(text))
    return mark_safe("".join(out))  # noqa: S308  # nosec  # each piece escaped above


@register.filter
def claim_diff(claim) -> SafeString:
    """A changed claim's text, word by word from its previous version's."""
    return diff_html(word_diff(claim.previous_text, claim.text))


@register.filter
def version_change_label(claim) -> str:
    """The mark "Changed in version 2", "New in version 2" or "Removed in version 2"; "" for
    an unchanged claim or one whose article has a single version."""
    if claim.version_change in ("", "unchanged") or not claim.change_version:
        return ""
    return f"{claim.get_version_change_display()} in version {claim.change_version}"
