from django.core.management.base import BaseCommand, CommandError

from aimai_site.errors import DomainError
from countries.loaders import DataLoadError
from countries.shipped import shipped_load


class Command(BaseCommand):
    help = (
        "Load the shipped, cited data releases (the November 2026 demo release, then the world "
        "edition, which becomes current), publish the methodologies made for each and score "
        "them. Running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        try:
            done = shipped_load()
        except DataLoadError as exc:
            raise CommandError("\n".join([exc.message, *exc.errors])) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for report in done.releases:
            self._report_release(report)
        for version in done.versions:
            self.stdout.write(f"Methodology {version} published (digest {version.digest[:12]}).")
        for score_set, created in done.score_sets:
            state = "computed" if created else "unchanged"
            kind = "Back-cast score set" if score_set.backcast else "Score set"
            self.stdout.write(f"{kind} {score_set.digest[:12]} {state}: {score_set}.")
        if done.translations:
            self.stdout.write(f"{done.translations} translations of the shipped texts stored.")

    def _report_release(self, report) -> None:
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
