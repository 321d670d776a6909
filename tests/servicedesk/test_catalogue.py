"""The committed zh-hans catalogue is in step: its .mo holds what its .po says, and
`makemessages` would find no msgid the .po lacks (a string added without its translation)."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import need_service


@pytest.fixture(autouse=True)
def _gettext():
    need_service(shutil.which("msgfmt") is not None, "gettext's msgfmt (apt-get install gettext)")


LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
IGNORE = [".venv", "var", "bench", "tests", "test-artifacts"]
# Not sources: left out of the copy makemessages reads.
CACHES = [".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "*.sqlite3*"]


def _entries(catalogue) -> dict:
    """{(context, msgid): translations} of a compiled catalogue (its contents, not its bytes)."""
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in catalogue
        if e.msgid
    }


def test_the_committed_mo_matches_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(LOCALE / "django.po")], check=True
    )

    assert _entries(polib.mofile(str(LOCALE / "django.mo"))) == _entries(
        polib.mofile(str(compiled))
    )


def test_makemessages_finds_no_string_missing_from_the_catalogue(tmp_path, monkeypatch):
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(*IGNORE, *CACHES),
        symlinks=True,
    )
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["zh_Hans"], ignore_patterns=IGNORE, verbosity=0)
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(LOCALE / "django.po"))

    def ids(catalogue):
        return {(e.msgctxt, e.msgid) for e in catalogue if e.msgid and not e.obsolete}

    assert ids(fresh) - ids(committed) == set()
    untranslated = [e.msgid for e in committed if not e.obsolete and not e.translated()]
    assert untranslated == []
