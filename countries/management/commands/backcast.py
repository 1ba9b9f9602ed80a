from django.core.management.base import BaseCommand, CommandError

from aimai_site.errors import DomainError
from countries.backcast import backcast_compute, backcast_targets


class Command(BaseCommand):
    help = (
        "Apply the latest published version of the headline methodology to every earlier "
        "published data release it has not scored yet, as back-cast score sets (never current). "
        "Running it again creates nothing."
    )

    def handle(self, *args, **options) -> None:
        version, releases = backcast_targets()
        if version is None:
            raise CommandError("No headline methodology with a published version.")
        if not releases:
            self.stdout.write(f"Every earlier release is scored with {version}; nothing to do.")
            return
        try:
            done = backcast_compute()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for score_set, created in done:
            state = "computed" if created else "unchanged (identical inputs)"
            self.stdout.write(f"Back-cast {score_set}: {state}; digest {score_set.digest}")
