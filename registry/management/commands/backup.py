from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database while the site runs (SQLite's online backup, or pg_dump), with a "
        "JSON manifest beside the file. Prints the backup's path."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", type=Path, help="the file to write (default: BACKUP_DIR/aimai-<UTC>.*)"
        )

    def handle(self, *args, output, **options) -> None:
        try:
            path, manifest = backup_create(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        log = manifest["registry"]
        self.stderr.write(
            f"backed up: registry log of {log['tree_size']} entries (root {log['root_hash']}), "
            f"{manifest['score_sets']} score sets; manifest {path.name}.json"
        )
        self.stdout.write(str(path))
