"""Public intent data sets for the FAQ benchmark, read from var/bench/ (never committed).

BANKING77 (PolyAI, CC BY 4.0; 77 intents of one domain, card payments, top-ups, transfers;
`banking_data/train.csv` and `test.csv` of the repository PolyAI-LDN/task-specific-datasets,
columns `text,category`). This machine has no network, so the files are not fetched here: put
them by hand under var/bench/banking77/ (`train.csv`, `test.csv`), or use the sample that a
session transcribed from the public test split, `var/bench/banking77/test_head20.tsv`
(`category<TAB>text`, the first 20 questions of each intent in the file's order, 1,540 rows,
sha256 1ec4c66d3b094a8205a9ccb6f8b32765de97610a6ebfc6499a8fc945328f904d).

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
    `banking77_train<k>`: the first k training questions of each intent (or all), evaluated
    on the whole official test split."""
    if name.startswith("banking77_sample10_f"):
        fold = int(name.rsplit("f", 1)[1])
        sample = read_sample()
        first = {key: texts[:10] for key, texts in sample.items()}
        last = {key: texts[10:] for key, texts in sample.items()}
        return _as_set(first, last) if fold == 0 else _as_set(last, first)
    shots = name.removeprefix("banking77_train")
    train = read_csv("train.csv")
    if shots != "all":
        train = {key: texts[: int(shots)] for key, texts in train.items()}
    return _as_set(train, read_csv("test.csv"))
