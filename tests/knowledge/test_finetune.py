"""The optional contrastive fine-tuning of the sentence model (finetune_knowledge)."""

import json
import random

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.knowledge.matching import semantic, suggest
from apps.knowledge.matching.finetune import MARKER, pair_batches
from apps.knowledge.matching.index import clear_cache, get_index
from tests.knowledge.test_matching import make_article, semantic_packages  # noqa: F401  fixture

TINY = {
    "reset-password": ["How do I reset my password?", "I forgot my password"],
    "vpn": ["How do I connect to the VPN?", "VPN is not connecting"],
    "printer": ["The printer does not print", "paper jam in the printer"],
}


def test_batches_pair_texts_of_one_article_and_never_repeat_an_article():
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3])  # article 3 has one text: it sits out
    batches = pair_batches(labels, 3, random.Random(1))
    pairs = [pair for batch in batches for pair in batch]
    anchors = [anchor for anchor, _, _ in pairs]
    assert len(set(anchors)) == len(anchors) >= 8  # one may find no batch without its article
    for anchor, positive, label in pairs:
        assert anchor != positive and labels[anchor] == labels[positive] == label
    for batch in batches:
        assert 2 <= len(batch) <= 4
        assert len({label for _, _, label in batch}) == len(batch)


@pytest.fixture
def tuned_dir(settings, tmp_path):
    settings.SERVICEDESK_CHATBOT_MODEL_DIR = tmp_path / "model"
    yield settings.SERVICEDESK_CHATBOT_MODEL_DIR
    clear_cache()


@pytest.mark.django_db
def test_finetune_command_writes_a_model_the_semantic_matcher_loads(
    semantic_packages,  # noqa: F811  the fixture
    tuned_dir,
    capsys,
):
    clear_cache()
    for key, texts in TINY.items():
        make_article(key, "en", texts)
    assert semantic.model_stamp() == ("all-MiniLM-L6-v2", None)
    base_index = get_index("semantic")
    call_command("finetune_knowledge", "--epochs", "1", "--batch-size", "3")
    out = capsys.readouterr().out
    assert "Wrote" in out and "6 texts of 3 articles" in out
    figures = json.loads((tuned_dir / MARKER).read_text())
    assert figures["texts"] == 6 and figures["steps"] >= 1
    assert figures["base"] == "all-MiniLM-L6-v2"
    assert semantic.model_stamp()[1] is not None
    tuned_index = get_index("semantic")  # the stamp is part of the version: rebuilt
    assert tuned_index is not base_index
    assert suggest("I forgot my password", matcher="semantic")[0].key == "reset-password"
    # a model tuned from another sentence model than the configured one is not used
    figures["base"] = "all-mpnet-base-v2"
    (tuned_dir / MARKER).write_text(json.dumps(figures))
    assert semantic.model_stamp() == ("all-MiniLM-L6-v2", None)
    call_command("finetune_knowledge", "--remove")
    assert semantic.model_stamp() == ("all-MiniLM-L6-v2", None) and not tuned_dir.exists()


@pytest.mark.django_db
def test_finetune_command_refuses_a_base_with_nothing_to_learn(tuned_dir):
    make_article("only", "en", ["the one question"])
    with pytest.raises(CommandError, match="Nothing to learn from"):
        call_command("finetune_knowledge")
    assert not tuned_dir.exists()
