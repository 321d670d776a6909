"""The text a person sees on an HTML page or in a JSON error, and the English words left in it."""

import re
from html.parser import HTMLParser

# Elements whose content nobody reads on the page.
HIDDEN = {"script", "style", "template", "noscript", "head", "title"}
# Attributes a person reads (tooltips, placeholders, button captions) or a screen reader says.
READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
BUTTON_TYPES = {"submit", "button", "reset"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

# Words that stay as they are in Chinese: names of things and codes, written in capitals or as
# the product spells them. Everything else in Latin letters on a zh-hans page is untranslated.
ALLOWED = {
    "Django",
    "API",
    "SLA",
    "OLA",
    "CSAT",
    "KPI",
    "FAQ",
    "ETA",
    "ID",
    "CSV",
    "XES",
    "OCEL",
    "JSON",
    "URL",
    "UTC",
    "XmR",
    "P50",
    "P90",
    "English",
    "IT",
    "VIP",
    "OpenAPI",
    "Markdown",
    "Webhook",
    "IMAP",
    "SMTP",
    "SR",
    "CET",
    "CEST",
    "Erlang",
    # Keys named in Django's own hint under multiple choice lists.
    "Control",
    "Command",
    "Mac",
    # Keys named on the keyboard-shortcut help, as printed on the keys.
    "Ctrl",
    "Enter",
    # The group the desk's data migration creates for agents: a name (data), shown in the
    # approver choice of categories and routing rules.
    "Agents",
    # The alt text of Django's boolean icons, which Django itself never translates.
    "True",
    "False",
    "Unknown",
}
# Tokens that are data or machine text, not words: references, addresses, paths, numbers, codes.
NOT_WORDS = re.compile(
    r"""
      [\w.+-]+@[\w.-]+            # e-mail addresses
    | https?://\S+ | /[\w/.?=&%-]+ # URLs and paths
    | \w+(?:/[\w+-]+)+            # time zones (Europe/Berlin)
    | "[^"]*" | “[^”]*”          # quoted codes (keyword examples, transition names)
    | \b[A-Z]{2,}-[\w-]+          # references (SR-2026-000001, HO-...)
    | \b[\w-]*\d[\w-]*\b          # anything with a digit (times, ids, p90)
    | \b[a-z]+_[a-z_]+\b          # snake_case codes (pending_customer)
    | \b[a-z]+\.[a-z_.]+\b        # dotted codes (message.created)
    """,
    re.VERBOSE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z']+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []
        self.option_value: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag not in VOID:
            hides = tag in HIDDEN or "hidden" in values
            self.stack.append((tag, hides))
            self.hidden_depth += hides
        if self.hidden_depth or values.get("type") == "hidden":
            return
        self.parts.extend(v for k, v in attrs if k in READ_ATTRIBUTES and v)
        if tag == "input" and values.get("type") in BUTTON_TYPES and values.get("value"):
            self.parts.append(values["value"])
        self.option_value = values.get("value") if tag == "option" else None

    def handle_endtag(self, tag):
        if tag in VOID or all(open_tag != tag for open_tag, _ in self.stack):
            return
        while self.stack:
            top, hides = self.stack.pop()
            self.hidden_depth -= hides
            if top == tag:
                break

    def handle_data(self, data):
        # An option showing its own value (a time zone) is a code, not a caption.
        if not self.hidden_depth and data.strip() and data.strip() != self.option_value:
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The text nodes and read attributes of `html` outside scripts, styles and hidden parts."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.parts


def english_words(texts: list[str], *, allowed: set[str] = frozenset()) -> dict[str, str]:
    """{word: the text it was found in} for each Latin word not in ALLOWED or `allowed`."""
    found: dict[str, str] = {}
    for text in texts:
        for word in WORD.findall(NOT_WORDS.sub(" ", text)):
            if word not in ALLOWED and word not in allowed and word.upper() != word:
                found.setdefault(word, text[:120])
    return found


def strings(value) -> list[str]:
    """Every string value (not key) in a decoded JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def error_texts(body: dict) -> tuple[list[str], set[str]]:
    """The messages of an API error (its message and field errors, not its codes), and the
    field names they may name (the API's identifiers)."""
    error = body.get("error", {})
    fields = error.get("fields") or {}
    return [error.get("message", ""), *strings(fields)], set(fields)
