from django.core.management.base import BaseCommand, CommandError

from registry import verify


class Command(BaseCommand):
    help = (
        "Verify the transparency registry over its public API, as an outsider would "
        "(the same checks as `python -m registry.verify`)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the site to check")
        parser.add_argument("--state", help="monitor mode: the tree head file to keep")
        parser.add_argument("--sample", type=int, default=10)
        parser.add_argument("--public-key", help="pin the log's PEM public key (a file)")

    def handle(self, *args, url, state, sample, public_key, **options) -> None:
        argv = ["--url", url, "--sample", str(sample)]
        argv += ["--state", state] if state else []
        argv += ["--public-key", public_key] if public_key else []
        status = verify.main(argv)
        if status:
            raise CommandError("the registry did not verify (see above)", returncode=status)
