from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aimai_site.errors import DomainError
from countries.models import DataRelease, Methodology
from countries.scoring import index_recompute

STEPS = ("reading observations", "computing scores and sensitivity", "writing the score set")


class Command(BaseCommand):
    help = (
        "Score a published data release with the latest published version of every methodology "
        "(or one). Identical inputs do nothing; each score set is written whole or not at all."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--methodology", metavar="SLUG", help="only this methodology")
        parser.add_argument(
            "--release", metavar="SLUG", help="a published data release (default: the current)"
        )

    def handle(self, *args, methodology=None, release=None, **options) -> None:
        chosen = None
        if release:
            chosen = DataRelease.objects.published().filter(slug=release).first()
            if chosen is None:
                raise CommandError(f"No published data release “{release}”.")
        methodologies = Methodology.objects.with_published_versions()
        if methodology:
            methodologies = methodologies.filter(slug=methodology)
        bar = tqdm(
            total=len(STEPS) * max(methodologies.count(), 1),
            unit="step",
            file=self.stderr,
            disable=options["verbosity"] == 0,
        )

        def progress(message: str) -> None:
            bar.set_description(message)
            bar.update(1)

        try:
            done = index_recompute(slug=methodology, release=chosen, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        if not done:
            raise CommandError("Nothing to score: no published data release.")
        for score_set, created in done:
            state = "computed" if created else "unchanged (identical inputs)"
            self.stdout.write(f"{score_set}: {state}; digest {score_set.digest}")
