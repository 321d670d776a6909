"""Dependency hygiene (docs/dependencies.md): the hashed locks agree with what requirements*.txt
ask for, and no package of the runtime install is under the GPL or AGPL."""

import importlib.metadata as metadata
import re
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)==([^\s;\\]+)\s*(;[^\\#]*)?")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def _pins(path: Path) -> dict[str, str]:
    """Name -> version of every `name==version` line (following `-r` includes)."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("-r "):
            pins.update(_pins(path.parent / line.split(maxsplit=1)[1]))
        elif match := PIN.match(line):
            pins[_canonical(match.group(1))] = match.group(2)
    return pins


def _locked(path: Path) -> dict[str, tuple[str, str | None]]:
    """Name -> (version, marker) of every package in a lock."""
    locked = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            marker = match.group(3)[1:].strip() if match.group(3) else None
            locked[_canonical(match.group(1))] = (match.group(2), marker)
    return locked


def _copyleft(expression: str | None, licence: str | None, classifiers: list[str]) -> bool:
    """Whether a package's declared licence is the GPL or AGPL (the LGPL is allowed)."""
    texts = [expression or "", licence or ""]
    if any(re.search(r"(?<!L)GPL", text) and "LGPL" not in text for text in texts):
        return True
    return any(
        "GNU General Public License" in c or "GNU Affero" in c
        for c in classifiers
        if c.startswith("License ::")
    )


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("requirements.lock", "requirements.txt"),
        ("requirements-dev.lock", "requirements-dev.txt"),
    ],
)
def test_lock_holds_what_requirements_ask_for(lock, wanted):
    locked = _locked(ROOT / lock)
    mismatched = {
        name: (version, locked.get(name, ("missing",))[0])
        for name, version in _pins(ROOT / wanted).items()
        if locked.get(name, ("missing",))[0] != version
    }
    assert not mismatched, f"run `make lock`: {mismatched}"


def test_every_locked_package_has_hashes():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text()
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        unhashed = [e.split(" ")[0] for e in entries if "==" in e and "--hash=sha256:" not in e]
        assert not unhashed, f"{lock}: {unhashed}"


def test_numpy_is_pinned_in_the_runtime_lock():
    assert "numpy" in _locked(ROOT / "requirements.lock")


def test_copyleft_detection():
    osi = "License :: OSI Approved :: "
    assert _copyleft("AGPL-3.0-only", None, [])
    assert _copyleft(None, "GPL-2.0-or-later", [])
    assert _copyleft(None, None, [osi + "GNU Affero General Public License v3"])
    assert _copyleft(None, None, [osi + "GNU General Public License v3 (GPLv3)"])
    assert not _copyleft("LGPL-3.0-only", None, [])
    assert not _copyleft(None, None, [osi + "GNU Lesser General Public License"])
    assert not _copyleft("BSD-3-Clause", "MIT", [osi + "MIT License"])


def test_no_gpl_or_agpl_package_in_the_runtime_install():
    copyleft, unknown = [], []
    for name, (_version, marker) in _locked(ROOT / "requirements.lock").items():
        if marker and not Marker(marker).evaluate():
            continue  # not installed on this platform
        meta = metadata.metadata(Requirement(name).name)
        classifiers = meta.get_all("Classifier") or []
        expression, licence = meta.get("License-Expression"), meta.get("License")
        if _copyleft(expression, licence, classifiers):
            copyleft.append(name)
        elif not (expression or licence or any(c.startswith("License ::") for c in classifiers)):
            unknown.append(name)
    assert not copyleft, f"GPL/AGPL in the runtime install: {copyleft}"
    assert not unknown, f"no declared licence, review them: {unknown}"
