"""Articles are model output, so untrusted: Markdown is rendered with raw HTML off (markdown-it-py)
and the result sanitised (nh3, an allow-list: no scripts, no event handlers, no javascript: URLs)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def article_html(markdown: str) -> str:
    """Safe HTML for an article body. Links open nothing on their own (rel=noopener noreferrer
    nofollow); images load only if the page's CSP allows their source (this origin or data:)."""
    html = _markdown.render(markdown or "")
    return nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow", strip_comments=True,
    )  # fmt: skip
