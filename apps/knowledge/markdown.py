"""An article's Markdown answer as HTML that is safe to show: rendered, then sanitized."""

import markdown as markdown_lib
import nh3

_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
# No javascript:, data: or other schemes that run or embed content.
_URL_SCHEMES = {"http", "https", "mailto"}


def render_answer(text: str) -> str:
    """HTML for Markdown `text`, with scripts, event handlers and unsafe links removed."""
    html = markdown_lib.markdown(text, extensions=_EXTENSIONS, output_format="html")
    return nh3.clean(html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")
