"""The catalogues are complete: every language has every string of the source, translated,
none fuzzy, each keeping its placeholders; and they are compiled as the site runs them."""

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from aimai_site.management.commands.update_catalogues import DOMAINS, update_catalogues

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
CODES = [code for code, _name in settings.LANGUAGES]
SOURCE = ["templates", "static", "aimai_site", "countries", "compacts", "registry", "manage.py"]


def catalogue(code: str, domain: str, root: Path = LOCALE):
    with (root / code / "LC_MESSAGES" / f"{domain}.po").open("rb") as source:
        return read_po(source, locale=code, abort_invalid=True)


def problems(code: str, domain: str, root: Path = LOCALE) -> list[str]:
    found = []
    messages = catalogue(code, domain, root)
    for message in messages:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
        elif not all(strings) or (message.pluralizable and len(strings) < messages.num_plurals):
            found.append(f"not translated: {message.id!r}")
        for error in message.check(messages):
            found.append(f"{message.id!r}: {error}")
    return found


# Languages whose catalogues are still being translated: their pages fall back to English
# string by string. Strict: the day a catalogue is complete, its entry here must go.
BEING_TRANSLATED: set[str] = set()


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            code,
            marks=pytest.mark.xfail(
                code in BEING_TRANSLATED, reason="translation under way", strict=True
            ),
        )
        for code in CODES
    ],
)
def test_every_entry_is_translated_and_none_is_fuzzy(code, domain):
    found = problems(code, domain)
    assert not found, f"{code}/{domain}.po: {len(found)} problems:\n" + "\n".join(found[:40])


def test_the_catalogues_hold_every_string_of_the_source(tmp_path, settings, monkeypatch):
    """Extracts the strings again from a copy of the source: a string marked since the
    catalogues were updated arrives empty, a changed one fuzzy; either fails."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext, msgmerge) is needed: `make test` installs it")
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed")
    for name in SOURCE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc", "__pycache__")
            )
        else:
            shutil.copy(source, tmp_path / name)
    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    update_catalogues(tmp_path / "locale")
    found = []
    for code in CODES:
        for domain in DOMAINS:
            ids = {m.id for m in catalogue(code, domain) if m.id}
            fresh = {m.id for m in catalogue(code, domain, tmp_path / "locale") if m.id}
            found += [f"{code}/{domain}: missing {missing!r}" for missing in fresh - ids]
            found += [
                f"{code}/{domain}: {p}"
                for p in problems(code, domain, tmp_path / "locale")
                if code not in BEING_TRANSLATED or not p.startswith("not translated")
            ]
    assert not found, (
        "the catalogues are behind the source (`manage.py update_catalogues`, then translate):\n"
        + "\n".join(sorted(set(found))[:40])
    )


def test_the_compiled_catalogues_are_the_sources_own():
    """`make` compiles each catalogue after it changes: the site never runs an older one."""
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: `manage.py compile_catalogues`"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its catalogue"
