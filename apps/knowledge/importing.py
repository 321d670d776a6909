"""Reading an FAQ CSV file (key, question, answer, phrasing) into articles, or its errors."""

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

COLUMNS = ("key", "question", "answer", "phrasing")
# The model's limits, repeated so the parser needs no Django (a test checks they agree).
KEY_MAX_LENGTH = 100
QUESTION_MAX_LENGTH = 300
ANSWER_MAX_LENGTH = 20000
PHRASING_MAX_LENGTH = 500
_LIMITS = {
    "question": QUESTION_MAX_LENGTH,
    "answer": ANSWER_MAX_LENGTH,
    "phrasing": PHRASING_MAX_LENGTH,
}
_NOT_SLUG = re.compile(r"[^\w-]+")
_DASHES = re.compile(r"[-\s]+")


def key_slug(key: str) -> str:
    """The stable slug of a key: NFKC, lower case, letters (any script), digits, "_" and
    "-" kept, every other run of characters a "-"; a key with none of those gets "key-" and
    a hash of it. `reverted_card_payment?` -> `reverted_card_payment`."""
    normal = unicodedata.normalize("NFKC", key).strip().lower()
    slug = _DASHES.sub("-", _NOT_SLUG.sub("-", normal)).strip("-_")[:KEY_MAX_LENGTH]
    if not slug:
        slug = "key-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return slug


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParsedArticle:
    key: str
    line: int
    question: str = ""
    question_line: int = 0
    answer: str = ""
    answer_line: int = 0
    phrasings: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    articles: list[ParsedArticle]
    problems: list[Problem]
    out_of_scope: list[str] = field(default_factory=list)

    @property
    def phrasing_count(self) -> int:
        return sum(len(article.phrasings) for article in self.articles)


def parse_articles(data: bytes) -> Parsed:
    """The articles of a UTF-8 CSV file (BOM or not) if it has no problem, else every problem."""
    text, problems = _decode(data)
    if problems:
        return Parsed([], problems)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems, header = _read_header(reader)
    if problems:
        return Parsed([], problems)
    articles: dict[str, ParsedArticle] = {}
    out_of_scope: list[str] = []
    line = reader.line_num + 1
    try:
        for fields in reader:
            if any(value.strip() for value in fields):
                problems += _add_row(articles, out_of_scope, header, fields, line)
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(line, f"not readable as CSV: {error}"))
    problems += _slug_collisions(articles)
    for article in articles.values():
        problems += [
            Problem(article.line, f'article "{article.key}" has no {what}')
            for what in ("question", "answer")
            if not getattr(article, what)
        ]
    if problems:
        return Parsed([], sorted(problems, key=lambda problem: problem.line))
    return Parsed(list(articles.values()), [], out_of_scope)


def _slug_collisions(articles: dict[str, ParsedArticle]) -> list[Problem]:
    """Two keys of the file that derive the same slug: the later one's line is named."""
    first: dict[str, ParsedArticle] = {}
    problems = []
    for article in articles.values():
        slug = key_slug(article.key)
        other = first.setdefault(slug, article)
        if other is not article:
            problems.append(
                Problem(
                    article.line,
                    f'key "{article.key}" gives the slug "{slug}", as does key "{other.key}" '
                    f"on line {other.line}: change one of them",
                )
            )
    return problems


def _decode(data: bytes) -> tuple[str, list[Problem]]:
    """The text, or a problem for each line holding bytes that are not UTF-8 (first offset)."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems = []
    start = 0
    while start < len(data):
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            offset = start + error.start
            line = data[:offset].count(b"\n") + 1
            if not problems or problems[-1].line != line:  # the first bad byte of each line
                problems.append(
                    Problem(
                        line,
                        f"not valid UTF-8: byte 0x{data[offset]:02x} at byte offset {offset} "
                        "(save the file as UTF-8)",
                    )
                )
            start += error.end
    return "", problems


@dataclass(frozen=True)
class _Header:
    positions: dict[str, int]
    width: int


def _read_header(reader) -> tuple[list[Problem], _Header]:
    """Problems with the header line, and where each column is."""
    header = next(reader, None)
    if header is None:
        empty = [Problem(1, f"the file is empty; expected a header: {','.join(COLUMNS)}")]
        return empty, _Header({}, 0)
    names = [name.strip().lower() for name in header]
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    missing = [name for name in COLUMNS if name not in names]
    problems = []
    if missing:
        problems.append(
            Problem(1, f"missing column(s): {', '.join(missing)}; expected {','.join(COLUMNS)}")
        )
    if repeated:
        problems.append(Problem(1, f"column(s) given twice: {', '.join(repeated)}"))
    positions = {name: names.index(name) for name in COLUMNS if name in names}
    return problems, _Header(positions, len(names))


def _add_row(
    articles: dict[str, ParsedArticle],
    out_of_scope: list[str],
    header: _Header,
    fields: list[str],
    line: int,
) -> list[Problem]:
    """Check one row and add what it says to its article (or, a row with only a phrasing,
    to the out-of-scope questions); the problems it has."""
    if len(fields) > header.width:
        return [Problem(line, f"{len(fields)} fields, more than the header's {header.width}")]
    row = {
        name: fields[i].strip() if i < len(fields) else "" for name, i in header.positions.items()
    }
    key = row["key"]
    if not key and row["phrasing"] and not (row["question"] or row["answer"]):
        if len(row["phrasing"]) > PHRASING_MAX_LENGTH:
            return [Problem(line, f"the phrasing is longer than {PHRASING_MAX_LENGTH} characters")]
        if row["phrasing"] not in out_of_scope:
            out_of_scope.append(row["phrasing"])
        return []
    if not key:
        return [Problem(line, "the key is empty")]
    if len(key) > KEY_MAX_LENGTH:
        return [Problem(line, f"the key is longer than {KEY_MAX_LENGTH} characters")]
    article = articles.setdefault(key, ParsedArticle(key=key, line=line))
    problems = [
        Problem(line, f"the {name} is {len(row[name])} characters, more than {limit}")
        for name, limit in _LIMITS.items()
        if len(row[name]) > limit
    ]
    problems += _take(article, "question", row["question"], line)
    problems += _take(article, "answer", row["answer"], line)
    if row["phrasing"] and row["phrasing"] not in article.phrasings:
        article.phrasings.append(row["phrasing"])
    return problems


def _take(article: ParsedArticle, name: str, value: str, line: int) -> list[Problem]:
    """The first non-empty question (or answer) of a key wins; a different later one is wrong."""
    if not value:
        return []
    first_line = getattr(article, f"{name}_line")
    if not first_line:
        setattr(article, name, value)
        setattr(article, f"{name}_line", line)
        return []
    if value != getattr(article, name):
        return [
            Problem(
                line,
                f'the {name} of "{article.key}" differs from the one on line {first_line} '
                "(leave it empty on later rows)",
            )
        ]
    return []
