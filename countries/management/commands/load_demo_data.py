from django.core.management.base import BaseCommand, CommandError

from aimai_site.errors import DomainError
from countries.loaders import DataLoadError, demo_data_load


class Command(BaseCommand):
    help = "Load the cited demo data as a published release. Running it again changes nothing."

    def handle(self, *args, **options) -> None:
        try:
            report = demo_data_load()
        except DataLoadError as exc:
            raise CommandError("\n".join([exc.message, *exc.errors])) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        release = report.release
        if report.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Published release {release.slug}: {report.observations} observations "
                    f"of {len(report.per_indicator)} indicators (digest {release.content_digest})."
                )
            )
        elif report.changed_anything:
            self.stdout.write(f"Release {release.slug} unchanged; reference data updated.")
        else:
            self.stdout.write(
                f"Release {release.slug} is already loaded with identical content "
                f"(digest {release.content_digest}); nothing changed."
            )
