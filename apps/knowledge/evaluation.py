"""Measuring a matcher on questions with known answers: accuracy, coverage, precision, latency."""

import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from apps.knowledge.matching import suggest
from apps.knowledge.matching.index import check_matcher, clear_cache, get_index
from apps.knowledge.models import Article

COLUMNS = ("text", "expected_key")


@dataclass(frozen=True)
class Case:
    """One question; an empty `expected_key` means no article should answer it."""

    line: int
    text: str
    expected_key: str


class EvaluationError(Exception):
    """The evaluation file has problems; `problems` lists them with their line numbers."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_cases(path: str | Path) -> list[Case]:
    """The cases of a UTF-8 CSV file with columns text,expected_key, or EvaluationError."""
    try:
        content = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise EvaluationError([f"cannot read {path}: {error}"]) from error
    reader = csv.reader(io.StringIO(content, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise EvaluationError(
            [f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"]
        )
    text_at, key_at = header.index("text"), header.index("expected_key")
    published = set(Article.objects.filter(published=True).values_list("key", flat=True))
    cases, problems = [], []
    for fields in reader:
        line = reader.line_num
        if not any(value.strip() for value in fields):
            continue
        if len(fields) != len(header):
            problems.append(f"line {line}: {len(fields)} fields, the header has {len(header)}")
            continue
        text, key = fields[text_at].strip(), fields[key_at].strip()
        if not text:
            problems.append(f"line {line}: the text is empty")
        elif key and key not in published:
            problems.append(f'line {line}: unknown expected_key "{key}" (no published article)')
        else:
            cases.append(Case(line, text, key))
    if problems:
        raise EvaluationError(problems)
    if not cases:
        raise EvaluationError(["the file has no cases"])
    return cases


def evaluate(cases: list[Case], *, matcher: str, thresholds: list[float]) -> dict:
    """Figures for `matcher` on `cases`, over the knowledge base in the database now.

    Accuracy counts the cases that have an expected article; coverage is the share of all
    cases whose best score reaches the threshold (they would be answered automatically) and
    precision the share of those answered with the expected article (a case that expects no
    article is never answered correctly)."""
    check_matcher(matcher)
    clear_cache()
    index = get_index(matcher)  # built here, so its time is not in the first latency
    top_keys, top_scores, latencies = [], [], []
    for case in cases:
        started = time.perf_counter()
        matches = suggest(case.text, matcher=matcher, limit=3)
        latencies.append((time.perf_counter() - started) * 1000)
        top_keys.append([match.key for match in matches])
        top_scores.append(matches[0].score if matches else 0.0)
    in_scope = [i for i, case in enumerate(cases) if case.expected_key]
    pairs = list(zip(top_keys, cases, strict=True))
    right = [bool(keys) and keys[0] == case.expected_key for keys, case in pairs]
    top3 = [case.expected_key in keys for keys, case in pairs]
    return {
        "matcher": matcher,
        "sentence_model": None if matcher == "lexical" else sentence_model(),
        "cases": len(cases),
        "cases_with_answer": len(in_scope),
        "articles": len(index.snapshot.keys),
        "texts_indexed": len(index.snapshot.docs),
        "index_build_s": round(index.build_seconds, 4),
        "calibration": index.describe(),
        "top1_accuracy": _share(sum(right[i] for i in in_scope), len(in_scope)),
        "top3_accuracy": _share(sum(top3[i] for i in in_scope), len(in_scope)),
        "latency_ms": {
            "p50": round(float(np.percentile(latencies, 50)), 3),
            "p95": round(float(np.percentile(latencies, 95)), 3),
        },
        "thresholds": [
            _at_threshold(t, top_scores, right, [not case.expected_key for case in cases])
            for t in thresholds
        ],
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _at_threshold(
    threshold: float, scores: list[float], right: list[bool], out_of_scope: list[bool]
) -> dict:
    """Coverage and precision of auto-answers at `threshold`, and the share of the
    out-of-scope cases (no expected article) that would be answered all the same."""
    answered = [i for i, score in enumerate(scores) if score >= threshold]
    correct = sum(right[i] for i in answered)
    return {
        "threshold": threshold,
        "answered": len(answered),
        "coverage": _share(len(answered), len(scores)),
        "correct": correct,
        "precision": _share(correct, len(answered)),
        "out_of_scope_answered": _share(sum(out_of_scope[i] for i in answered), sum(out_of_scope)),
    }


def sentence_model() -> str:
    """The semantic matchers' sentence model as used: its name, and whether it was tuned."""
    from apps.knowledge.matching.semantic import model_stamp

    name, tuned = model_stamp()
    return f"{name}, tuned on the base" if tuned is not None else name


def format_report(result: dict) -> str:
    """The figures as `name: value` lines, one block per threshold."""

    def show(value) -> str:
        return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else value

    calibration = result["calibration"]
    lines = [
        f"matcher: {result['matcher']}"
        + (f" ({result['sentence_model']})" if result.get("sentence_model") else ""),
        f"cases: {result['cases']} ({result['cases_with_answer']} with an expected article)",
        f"knowledge base: {result['articles']} articles, {result['texts_indexed']} texts",
        f"index_build_s: {result['index_build_s']:.3f}",
        "calibration: "
        + (
            f"{calibration['kind']}, fitted on {calibration['samples']} held-out texts"
            if calibration["fitted"]
            else f"fixed fallback ({calibration['reason']})"
        ),
        f"top1_accuracy: {show(result['top1_accuracy'])}",
        f"top3_accuracy: {show(result['top3_accuracy'])}",
        f"latency_p50_ms: {result['latency_ms']['p50']:.2f}",
        f"latency_p95_ms: {result['latency_ms']['p95']:.2f}",
    ]
    for row in result["thresholds"]:
        lines.append(
            f"threshold {row['threshold']:.2f}: coverage {show(row['coverage'])} "
            f"({row['answered']} answered), precision {show(row['precision'])} "
            f"({row['correct']} right), out-of-scope answered "
            f"{show(row['out_of_scope_answered'])}"
        )
    return "\n".join(lines)
