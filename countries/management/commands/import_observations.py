import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aimai_site.errors import DomainError
from countries.imports import observations_import, release_for_import
from countries.models import ImportMapping


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of observations into a draft data release, through the same "
        "checks as every other door: a row-numbered report, then everything is written in one "
        "transaction, or nothing when the file has any error (or with --dry-run)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--release", required=True, help="Slug of the draft release.")
        parser.add_argument("--create", metavar="NAME", help="Create the draft with this name.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument("--mapping", help="Name of a saved column mapping (wide files).")
        parser.add_argument("--mapping-json", help="A mapping as JSON, e.g. for a wide file.")
        parser.add_argument("--user", help="Username the import is recorded under.")

    def handle(self, *args, file: Path, release: str, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        mapping = self._mapping(options)
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user “{options['user']}”.")
        content = file.read_bytes()
        with tqdm(desc=file.name, unit=" rows", disable=options["verbosity"] == 0) as bar:

            def progress(rows: int) -> None:
                bar.update(max(rows - bar.n, 0))

            try:
                target = release_for_import(slug=release, name=options["create"] or "", user=user)
                report, applied = observations_import(
                    release=target,
                    content=content,
                    filename=file.name,
                    mapping=mapping,
                    user=user,
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self._print(report)
        if not report["ok"]:
            raise CommandError(f"{report['error_count']} error(s); nothing was written.")
        if applied is None:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Applied to {target.slug} (import #{applied.pk}).")
            )

    def _mapping(self, options) -> dict | None:
        if options["mapping"]:
            saved = ImportMapping.objects.filter(name=options["mapping"]).first()
            if saved is None:
                names = ", ".join(ImportMapping.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"No saved mapping “{options['mapping']}” (saved: {names}).")
            return saved.as_layout()
        if options["mapping_json"]:
            try:
                return json.loads(options["mapping_json"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--mapping-json is not JSON: {exc}") from None
        return None

    def _print(self, report: dict) -> None:
        self.stdout.write(
            f"{report['rows_read']} rows read: {report['added']} to add, {report['changed']} "
            f"changing a value, {report['unchanged']} unchanged, {report['error_rows']} with "
            f"errors, {report['flag_count']} flagged for review."
        )
        for name, country in report["matches"].items():
            self.stdout.write(f"  name {name!r} matched to {country}")
        for change in report["changes"]:
            self.stdout.write(
                f"  row {change['row']}: {change['country']} {change['indicator']} "
                f"{change['year']}: {change['old']} → {change['new']}"
            )
        for flag in report["flags"]:
            self.stdout.write(f"  row {flag['row']} flagged: {flag['reason']}")
        for error in report["errors"]:
            column = f", column {error['column']}" if error["column"] else ""
            self.stderr.write(f"  row {error['row']}{column}: {error['message']}")
        if report["error_count"] > len(report["errors"]):
            self.stderr.write(f"  … and {report['error_count'] - len(report['errors'])} more")
