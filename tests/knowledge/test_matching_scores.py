"""Matcher scoring without a database: tokens, Chinese without spaces, features, calibration."""

import numpy as np

from apps.knowledge.matching.calibration import (
    MIN_TEXTS,
    article_scores,
    fallback_probability,
    features,
    fit_calibrator,
)
from apps.knowledge.matching.lexical import LexicalScorer

DOCS = [
    "How do I reset my password?",
    "I forgot my password",
    "How do I connect to the VPN?",
    "VPN is not connecting",
    "打印机卡纸了怎么办",
    "打印机不工作",
    "如何申请年假",
    "我想请假",
]


def test_latin_words_are_separated_from_chinese_characters():
    scorer = LexicalScorer(DOCS)
    analyze = scorer.word.build_analyzer()
    assert analyze("VPN连不上") == ["vpn", "连", "不", "上", "vpn 连", "连 不", "不 上"]


def test_chinese_without_spaces_finds_the_text_sharing_its_words():
    sims = LexicalScorer(DOCS).similarities(["打印机坏了"])[0, 0]
    assert int(np.argmax(sims)) in (4, 5)
    sims = LexicalScorer(DOCS).similarities(["请年假"])[0, 0]
    assert int(np.argmax(sims)) in (6, 7)


def test_similarities_are_cosines():
    sims = LexicalScorer(DOCS).similarities(DOCS)[0]
    assert np.allclose(np.diag(sims), 1.0)
    assert sims.min() >= 0 and sims.max() <= 1 + 1e-9


def test_article_scores_take_the_best_text_and_margins_the_best_other_article():
    doc_sims = np.array([[[0.2, 0.9, 0.5, -np.inf]]])  # 1 channel, 1 query, 4 texts
    scores = article_scores(doc_sims, np.array([0, 2, 3]))  # articles: texts 0-1, 2, 3
    assert scores.tolist() == [[[0.9, 0.5, 0.0]]]
    feats = features(scores)
    assert feats.shape == (1, 3, 2)
    assert np.allclose(feats[0, :, 0], [0.9, 0.5, 0.0])
    assert np.allclose(feats[0, :, 1], [0.4, -0.4, -0.9])


def test_a_small_base_gets_the_conservative_fallback():
    docs = DOCS[: MIN_TEXTS - 2]
    calibrator = fit_calibrator(
        LexicalScorer(docs).similarities, docs, np.arange(len(docs)) // 2, np.arange(0, 8, 2)
    )
    assert not calibrator.fitted
    assert fallback_probability(np.array([0.0, 0.5, 0.75, 1.0])).tolist() == [0, 0, 0.475, 0.95]


def test_a_fitted_calibration_gives_probabilities_rising_with_the_score():
    topics = ["password", "vpn", "printer", "leave", "payslip", "parking"]
    docs = [f"{words} {topic}" for topic in topics for words in ("help with", "problem", "my")]
    doc_article = np.repeat(np.arange(len(topics)), 3)
    scorer = LexicalScorer(docs)
    calibrator = fit_calibrator(scorer.similarities, docs, doc_article, np.arange(0, 18, 3))
    assert calibrator.fitted
    low, high = calibrator.probabilities(np.array([[0.1, 0.0], [0.9, 0.6]]))
    assert 0 <= low < high <= 1


def test_self_matching_leaves_out_the_text_and_every_fifth_texts_whole_article(monkeypatch):
    from apps.knowledge.matching import calibration

    monkeypatch.setattr(calibration, "CHUNK", 5)  # chunks narrower than the base
    docs = [f"{word} {topic}" for topic in ("vpn", "printer", "leave") for word in ("a", "b")]
    docs += ["payslip", "parking"]
    doc_article = np.array([0, 0, 1, 1, 2, 2, 3, 4])
    calls = []

    def similarities(texts):
        calls.append(texts)
        return LexicalScorer(docs).similarities(texts)

    x, y = calibration.self_matching_rows(
        similarities, docs, doc_article, np.array([0, 2, 4, 6, 7])
    )
    assert [len(texts) for texts in calls] == [5, 3]
    assert x.shape == (8 * calibration.CANDIDATES, 2)
    labels = y.reshape(8, calibration.CANDIDATES)
    assert not labels[0].any() and not labels[5].any()  # its article left out: no right answer
    assert labels[1, 0] and labels[2, 0]  # "b vpn" finds "a vpn", "a printer" finds "b printer"
    assert not labels[6].any()  # "payslip" is its article's only text
