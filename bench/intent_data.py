"""Public intent data sets for the FAQ benchmark, read from var/bench/ (never committed).

BANKING77 (PolyAI, CC BY 4.0; 77 intents of one domain, card payments, top-ups, transfers;
`banking_data/train.csv` and `test.csv` of the repository PolyAI-LDN/task-specific-datasets,
columns `text,category`). This machine has no network, so the files are not fetched here: put
them by hand under var/bench/banking77/ (`train.csv`, `test.csv`).

What was rebuilt here (2026-12-05): the whole public `test.csv` (3,080 questions, 77 intents, 40
each except `disposable_card_limits` 41 and `get_disposable_virtual_card` 39, as upstream), copied
page by page from a stored copy of the repository (commit dfe22170), every page checked against
its length; written with `\n` line ends (upstream has `\r\n`), sha256
dbeae9326c116ed92177dd51ba1bbb9000130272162763576d9538d338aea20f (rebuilt again on 2026-12-05,
session 10: the same sha256). `train.csv` is not stored there; it is in a stored fork,
donnytk/task-specific-datasets (`banking_data/train.csv`, commit c162dd09, 836,206 characters,
`\r\n` line ends), copied the same way (session 10), which lost the CSV quoting upstream has:
1,352 texts hold commas and a few hold line breaks. `train.csv` here is that copy normalised:
each record ends at the last comma before one of the test split's 77 intent names, line
breaks inside a text kept, quoted by Python's csv writer with `\n` line ends: 10,003 rows, 77
intents (35-187 each), as published; sha256
d16fb5cbfa22877a9c382e6e317337ed25021e92cf0008016aef3f022b051d89. Rebuilt again in session 11
(the fork at commit 0cdecafa, 836,206 characters, the same procedure): 10,003 rows, 77 intents
(35-187 each), but sha256 95c1f11c44f3f411a097a23edec04da7754fb9224f27b0902d317a6d3de80a45 (a
difference in a few characters of the hand copy or in the normalisation; the figures of session
11 are on this copy). Rebuilt again in session 14 (five helpers, `read_file` pages; its text
shows `\n` where the stored file has `\r\n`, which the helpers restored by each page's known
length; the records split as above): both files' sha256 equal session 11's (dbeae932...,
95c1f11c...), so the figures of sessions 11 and 14 are on the same sets. Rebuilt again in
session 16 by four helpers the same way (pages checked by `len(text) + text.count("\n")`, a
line break inside a quoted field of test.csv being a lone `\n`): the same two sha256. Rebuilt
again in session 17 by three helpers, assembled by `bench/banking77_pages.py` (the page check,
the join and train.csv's records in one script): the same two sha256. From test.csv:
- `test_head20.tsv` (`category<TAB>text`, the first 20 questions of each intent in the file's
  order, whitespace runs collapsed to one space, 1,540 rows; sha256
  44da4e881ebc525ec69a17beae6205fade0f6a048cfa7e9d5c525b333e750944). The sample an earlier
  session transcribed by hand (sha256 1ec4c66d...) is gone; rebuilt from the file, its sha256
  differs, so figures measured on the old sample may differ slightly from new ones.

Each loader returns (keys, texts, labels, out_of_scope, cases) as bench/knowledge_intents.py
takes them: the training texts of each intent become an article's phrasings (the intent name
is its key, `reverted_card_payment?` included), `cases` the held-out (text, key) pairs.
"""

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANKING = ROOT / "var" / "bench" / "banking77"
SAMPLE = BANKING / "test_head20.tsv"


def _by_intent(rows) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, text in rows:
        grouped.setdefault(key, []).append(text)
    return grouped


def read_sample() -> dict[str, list[str]]:
    """The transcribed sample: intent -> its 20 questions, in order."""
    with open(SAMPLE, encoding="utf-8") as file:
        return _by_intent(line.rstrip("\n").split("\t", 1) for line in file if line.strip())


def read_csv(name: str) -> dict[str, list[str]]:
    with open(BANKING / name, encoding="utf-8", newline="") as file:
        return _by_intent((row["category"], row["text"]) for row in csv.DictReader(file))


def available() -> list[str]:
    """The BANKING77 sets that can be built from what is in var/bench/banking77/."""
    sets = []
    if SAMPLE.exists():
        sets += ["banking77_sample10_f0", "banking77_sample10_f1"]
    if (BANKING / "test.csv").exists():
        sets += ["banking77_test10_f0", "banking77_test10_f1"]
    if (BANKING / "train.csv").exists() and (BANKING / "test.csv").exists():
        sets += ["banking77_train10", "banking77_train30", "banking77_trainall"]
    return sets


def _as_set(train: dict[str, list[str]], test: dict[str, list[str]]):
    keys = sorted(train)
    texts, labels = [], []
    for position, key in enumerate(keys):
        texts += train[key]
        labels += [position] * len(train[key])
    cases = [(text, key) for key in keys for text in test.get(key, [])]
    return keys, texts, labels, [], cases


def banking_set(name: str):
    """`banking77_sample10_f<fold>`: 10 questions of each intent of the sample train, the
    other 10 are held out (fold 0 trains on the first ten, fold 1 on the last ten).
    `banking77_test10_f<fold>`: from the whole test.csv, 10 questions of each intent as its
    phrasings (fold 0: questions 1-10 of the intent in the file's order, fold 1: 11-20), all its
    other questions (about 30 an intent, 2,310 in all) held out.
    `banking77_train<k>`: the first k training questions of each intent (or all), evaluated
    on the whole official test split."""
    if name.startswith("banking77_sample10_f"):
        fold = int(name.rsplit("f", 1)[1])
        sample = read_sample()
        first = {key: texts[:10] for key, texts in sample.items()}
        last = {key: texts[10:] for key, texts in sample.items()}
        return _as_set(first, last) if fold == 0 else _as_set(last, first)
    if name.startswith("banking77_test10_f"):
        fold = int(name.rsplit("f", 1)[1])
        test = read_csv("test.csv")
        train = {key: texts[10 * fold : 10 * fold + 10] for key, texts in test.items()}
        rest = {key: texts[: 10 * fold] + texts[10 * fold + 10 :] for key, texts in test.items()}
        return _as_set(train, rest)
    shots = name.removeprefix("banking77_train")
    train = read_csv("train.csv")
    if shots != "all":
        train = {key: texts[: int(shots)] for key, texts in train.items()}
    return _as_set(train, read_csv("test.csv"))
