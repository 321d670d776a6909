"""BANKING77's test.csv and train.csv assembled from pages copied out of a stored index.

This machine has no network. The two files are read from the search tool's stored copies,
16,000 characters a page (`read_file`; bench/intent_data.py names the repositories and
commits), each page saved as it came to `<pages>/test/<offset>.txt` and `<pages>/train/<offset>.txt`
(offset zero-padded to six digits). The stored files end their lines with `\\r\\n`, which the
tool shows as `\\n`: a page is whole when `len(text) + text.count("\\n")` is 16,000 (the last
page: what is left); a line break inside a quoted text of test.csv is a lone `\\n` and counts
one less.

    .venv/bin/python bench/banking77_pages.py PAGES [--out var/bench/banking77]

checks every page, writes test.csv as the pages joined (`\\n` line ends) and train.csv with
its records restored (the stored fork lost the CSV quoting: a record ends at the last comma
before one of test.csv's 77 intent names, line breaks inside a text kept, written by Python's
csv writer), and prints each file's rows, intents and sha256 beside the ones of sessions 11,
14, 16 and 17 (the same sets every time).
"""

import argparse
import csv
import hashlib
import io
from pathlib import Path

PAGE = 16_000
SHA256 = {
    "test.csv": "dbeae9326c116ed92177dd51ba1bbb9000130272162763576d9538d338aea20f",
    "train.csv": "95c1f11c44f3f411a097a23edec04da7754fb9224f27b0902d317a6d3de80a45",
}


def joined(folder: Path) -> str:
    """The pages of `folder` in order, after saying which are not whole."""
    pages = sorted(folder.glob("*.txt"))
    texts = [page.read_text(encoding="utf-8") for page in pages]
    for page, text in zip(pages[:-1], texts[:-1], strict=True):
        counted = len(text) + text.count("\n")
        if counted != PAGE:
            print(f"check: {page} counts {counted}, not {PAGE} (a lone line break inside a text?)")
    return "".join(texts)


def train_records(text: str, intents: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The header and the (text, intent) records of the unquoted train.csv."""
    lines = text.split("\n")
    records, pending = [], []
    for line in lines[1:]:
        pending.append(line)
        head, comma, tail = line.rpartition(",")
        if comma and tail in intents:
            pending[-1] = head
            records.append(("\n".join(pending), tail))
            pending = []
    if "".join(pending).strip():
        print(f"check: text after the last record: {''.join(pending)[:80]!r}")
    return lines[0].split(","), records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--out", type=Path, default=Path("var/bench/banking77"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    test = joined(args.pages / "test")
    rows = list(csv.reader(io.StringIO(test)))[1:]
    intents = {row[1] for row in rows}
    header, records = train_records(joined(args.pages / "train"), intents)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    for name, text, count, labels in (
        ("test.csv", test, len(rows), intents),
        ("train.csv", buffer.getvalue(), len(records), {intent for _text, intent in records}),
    ):
        (args.out / name).write_text(text, encoding="utf-8", newline="")
        digest = hashlib.sha256(text.encode()).hexdigest()
        same = "the same as before" if digest == SHA256[name] else f"NOT {SHA256[name]}"
        print(f"{name}: {count} rows, {len(labels)} intents, sha256 {digest} ({same})")


if __name__ == "__main__":
    main()
