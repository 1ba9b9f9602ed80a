"""Compiles the translation catalogues (locale/<code>/LC_MESSAGES/*.po) into the .mo files
Django reads, with Babel: no GNU gettext needed on the machine. A catalogue already compiled
since it last changed is left alone. Fuzzy entries are never compiled (tests/i18n refuses
them anyway)."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_files() -> list[Path]:
    return sorted(
        po for root in settings.LOCALE_PATHS for po in Path(root).glob("*/LC_MESSAGES/*.po")
    )


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po) into .mo files."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="compile every catalogue")

    def handle(self, *args, force: bool = False, **options):
        compiled = 0
        for po in catalogue_files():
            mo = po.with_suffix(".mo")
            if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            locale = po.parent.parent.name
            try:
                with po.open("rb") as source:
                    catalogue = read_po(source, locale=locale, abort_invalid=True)
            except Exception as exc:  # Babel's PoFileError, or a locale it does not know
                raise CommandError(f"{po}: {exc}") from exc
            temporary = mo.with_suffix(".mo.tmp")
            with temporary.open("wb") as target:
                write_mo(target, catalogue, use_fuzzy=False)
            temporary.replace(mo)  # a running server never reads half a file
            compiled += 1
        self.stdout.write(f"{compiled} catalogue(s) compiled, {len(catalogue_files())} in all.")
