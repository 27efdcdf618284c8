"""Comments' markdown, rendered safely, and their @mentions.

markdown-it-py (CommonMark) with raw HTML off: a "<script>" or an
"<img onerror=...>" typed in a comment is shown as text, never as markup. Its
link validator refuses javascript:, vbscript:, file: and data: URLs (such a
link stays text). Images are off too: a comment must not make every reader's
browser fetch a stranger's URL. Links get rel="nofollow noopener noreferrer".

An ``@username`` of a person who exists becomes a link to the queue of their
claims; any other "@word" (an e-mail address, an unknown name) stays text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# Django's username characters (letters, digits, @ . + - _), not ending in a
# dot: "thanks @ana." mentions "ana". Not after a word character, so
# "ana@example.org" mentions nobody.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w@+-])")
MENTION_AT = re.compile(r"@([\w.@+-]*[\w@+-])")


def mention_candidates(text: str) -> set[str]:
    """The usernames ``text`` may mention (whether they exist is the caller's to check)."""
    return {m.group(1) for m in MENTION.finditer(text)}


def _mention_rule(state, silent: bool) -> bool:
    """An inline rule: ``@name`` of a known user becomes a mention link."""
    if state.src[state.pos] != "@":
        return False
    if state.pos > 0 and re.match(r"[\w@.+-]", state.src[state.pos - 1]):
        return False
    match = MENTION_AT.match(state.src, state.pos)
    known = state.env.get("mentions", {})
    if match is None or match.group(1) not in known:
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": known[match.group(1)], "class": "mention"}
        token.markup = "mention"
        state.push("text", "", 0).content = match.group(0)
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.markup != "mention":
        token.attrSet("rel", "nofollow noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_inline", "html_block"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("link_open", _link_open)
    return md


_MD = _parser()


def render_markdown(text: str, mentions: dict[str, str] | None = None) -> str:
    """``text`` as safe HTML; ``mentions`` maps the usernames to link to their URLs."""
    return _MD.render(text, {"mentions": mentions or {}})
