"""Messages as the agent reads them: Markdown rendered, then sanitised (no script, no style,
links only to http, https and mailto)."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

_EXTENSIONS = ["sane_lists", "nl2br"]
_URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> SafeString:
    """`text` as sanitised HTML: raw HTML in it is dropped or escaped by nh3."""
    html = markdown_lib.markdown(text or "", extensions=_EXTENSIONS, output_format="html")
    cleaned = nh3.clean(html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    # nh3 has just removed everything unsafe.
    return mark_safe(cleaned)
