from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`, then verify the registry and every score "
        "set's digest. Refused, leaving the database unchanged, when the database's registry "
        "log is ahead of the backup's or not a prefix of it: the log must only grow."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="the backup file (its .json manifest beside)")
        parser.add_argument(
            "--state",
            type=Path,
            help="a monitor's saved tree head (registry.verify --state): must accept the restored "
            "log, and is then updated as the monitor would",
        )
        parser.add_argument("--sample", type=int, default=20, help="inclusion proofs to check")

    def handle(self, *args, path, state, sample, **options) -> None:
        try:
            report = restore(path, state=state, sample=sample, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if report.problems:
            for problem in report.problems:
                self.stdout.write(f"FAIL: {problem}")
            raise CommandError("restored, but the checks found problems (see above)")
        self.stdout.write(self.style.SUCCESS("restored and verified"))
