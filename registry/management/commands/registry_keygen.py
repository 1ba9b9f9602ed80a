from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry.keys import development_key_create


class Command(BaseCommand):
    help = "Make the development signing key of the registry, once (never in production)."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("In production the key comes from REGISTRY_SIGNING_KEY.")
        path = settings.REGISTRY_DEVELOPMENT_KEY_PATH
        if settings.REGISTRY_SIGNING_KEY:
            self.stdout.write("REGISTRY_SIGNING_KEY is set; no development key is needed.")
        elif development_key_create(path):
            self.stdout.write(f"Development signing key written to {path}.")
        else:
            self.stdout.write(f"Development signing key kept: {path}.")
