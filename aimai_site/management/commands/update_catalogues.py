"""Brings the translation catalogues up to date with the source: every string marked for
translation in the templates, the Python modules (domain `django`) and the site's scripts
(domain `djangojs`) gets its entry in locale/<code>/LC_MESSAGES/, for every language. New
entries arrive empty, changed ones fuzzy: a translator fills them in (see locale/GLOSSARY.md),
and tests/i18n refuses a catalogue with either. English is the source language: its
catalogue repeats each string (so it, too, is complete).

Needs GNU gettext (xgettext, msgmerge): a translator's tool, not the site's. Running the site
only needs `manage.py compile_catalogues`, which is pure Python."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Nothing here holds text for people: dependencies, tests, built files, data, the engine's
# bundles, the migrations.
IGNORED = [
    ".venv",
    ".venv/*",
    "tests/*",
    "staticfiles/*",
    "bench/*",
    "load/*",
    "backups/*",
    ".local/*",
    "artefacts/*",
    "*/migrations/*",
    "static/vendor/*",
    "node_modules/*",
]
DOMAINS = ("django", "djangojs")


def catalogues_tidied(locale_root: Path) -> None:
    """One header for every catalogue (never fuzzy); English repeats every string, so its
    catalogue is complete too."""
    for po in sorted(locale_root.glob("*/LC_MESSAGES/*.po")):
        code = po.parent.parent.name
        with po.open("rb") as source:
            catalogue = read_po(source, locale=code)
        catalogue.header_comment = (
            "# The AI4NATIONS platform's text in one language. Made by `manage.py\n"
            "# update_catalogues`; translators fill in the strings, following locale/GLOSSARY.md."
        )
        catalogue.project = "AI4NATIONS platform"
        catalogue.version = ""
        catalogue.copyright_holder = "AI4NATIONS"
        catalogue.msgid_bugs_address = ""
        catalogue.last_translator = "AI4NATIONS translators"
        catalogue.language_team = f"AI4NATIONS {code}"
        catalogue.fuzzy = False
        if code == "en":
            for message in catalogue:
                if message.id:
                    message.string = message.id  # a plural's (singular, plural) pair as well
                    message.flags.discard("fuzzy")
        with po.open("wb") as target:
            write_po(target, catalogue, width=100, include_lineno=False)


def update_catalogues(locale_root: Path) -> None:
    codes = [code for code, _name in settings.LANGUAGES]
    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=codes,
            domain=domain,
            ignore_patterns=IGNORED,
            no_obsolete=True,
            no_location=False,
            add_location="file",
            verbosity=0,
            **({"extensions": ["js"]} if domain == "djangojs" else {}),
        )
    catalogues_tidied(locale_root)


class Command(BaseCommand):
    help = "Update the translation catalogues from the source (needs GNU gettext)."

    def handle(self, *args, **options):
        locale_root = Path(settings.LOCALE_PATHS[0])
        update_catalogues(locale_root)
        for po in sorted(locale_root.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parent.parent.name)
            entries = [message for message in catalogue if message.id]
            empty = sum(1 for m in entries if not all(_filled(m.string)))
            fuzzy = sum(1 for m in entries if m.fuzzy)
            self.stdout.write(f"{po}: {len(entries)} entries, {empty} empty, {fuzzy} fuzzy")


def _filled(string) -> list[bool]:
    strings = string if isinstance(string, tuple | list) else [string]
    return [bool(s) for s in strings]
