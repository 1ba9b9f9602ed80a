"""Checks a web server runs once as it loads the site, so that it stops at start with a clear
message rather than failing on every request."""

import sys

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage


def static_manifest_check() -> None:
    """Production names static files by their hash, read from the manifest that collectstatic
    writes into STATIC_ROOT; without it every page that links a static file fails."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if staticfiles_storage.manifest_storage.exists(staticfiles_storage.manifest_name):
        return
    manifest = staticfiles_storage.manifest_storage.path(staticfiles_storage.manifest_name)
    print(
        f"Static files are not collected: {manifest} is missing (STATIC_ROOT="
        f"{settings.STATIC_ROOT}). Run `python manage.py collectstatic --noinput` before "
        "starting the server (`make serve` does).",
        file=sys.stderr,
    )
    raise SystemExit(3)  # gunicorn stops, not retries, on a worker exiting with 3
