"""Every user-facing string is in both catalogues, translated, and nothing is left fuzzy."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("zh_Hans", "en")


def _catalogue(locale: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_entry_is_translated(locale: str) -> None:
    catalogue = _catalogue(locale)
    assert len(catalogue) > 50
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_english_catalogue_says_what_the_code_says() -> None:
    """Our msgids are English: an English msgstr differing from its msgid is a stale guess of makemessages."""
    catalogue = _catalogue("en")
    stale = [
        (e.msgid, e.msgstr)
        for e in catalogue
        if (e.msgstr != e.msgid if not e.msgid_plural else e.msgstr_plural != {0: e.msgid, 1: e.msgid_plural})
    ]
    assert stale == []


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|\{(\w+)\}")


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders_of_their_msgid(locale: str) -> None:
    """A translation naming a placeholder its msgid lacks raises KeyError when the page is rendered."""
    wrong = []
    for entry in _catalogue(locale).translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        wrong += [(entry.msgid, text) for text in texts if set(PLACEHOLDER.findall(text)) - wanted]
    assert wrong == []


def test_chinese_catalogue_is_really_chinese() -> None:
    catalogue = _catalogue("zh_Hans")
    words = [e for e in catalogue.translated_entries() if any(c.isalpha() for c in e.msgid) and len(e.msgid) > 3]
    same = [e.msgid for e in words if e.msgstr == e.msgid and not e.msgid.isupper()]
    assert len(same) <= len(words) // 20, same[:20]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_catalogues_hold_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the tree and compare with the committed catalogue."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    extra = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files + extra:
        if name.startswith("locale/") or not (ROOT / name).is_file():
            continue
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--ignore=bench", "--ignore=tests", "-v0"],
        cwd=tmp_path,
        check=True,
        env={"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin:/usr/local/bin", "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    for locale in LOCALES:
        committed = {e.msgid for e in _catalogue(locale) if not e.obsolete}
        missing = sorted(fresh - committed)
        assert missing == [], f"{locale}: run `make messages` and translate: {missing[:20]}"


# makemessages finds strings only through the names it knows (_, gettext, gettext_lazy, ngettext, pgettext, ...):
# a string marked through any other alias would silently stay in English.
_ALIAS = re.compile(r"^from django\.utils\.translation import (?P<names>.+)$", re.M)


def test_translation_functions_are_imported_under_names_makemessages_knows() -> None:
    files = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    renamed = []
    for name in files.split():
        if name.startswith(("tests/", "bench/")):
            continue
        for match in _ALIAS.finditer((ROOT / name).read_text(encoding="utf-8")):
            for part in match.group("names").strip("()").split(","):
                original, _as, alias = part.strip().partition(" as ")
                if alias and alias != "_" and alias != original:
                    renamed.append(f"{name}: {part.strip()}")
    assert renamed == []
