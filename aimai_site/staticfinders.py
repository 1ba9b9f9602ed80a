"""Static files that come from an installed package rather than from static/.

Vega, Vega-Lite and Vega-Embed in one script (`vendor/vega.js`) are built by the vl-convert
package, the same one that renders the charts on the server, so the browser and the server
draw with the same versions and nothing comes from a CDN. Building the script takes seconds:
it is written once per vl-convert version into a git-ignored folder, and from there it is a
static file like any other: collected, named by its hash and compressed (gzip and brotli) by
`collectstatic`, and served by WhiteNoise as immutable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VEGA_BUNDLE = "vendor/vega.js"


def vega_bundle_path() -> Path:
    """The built script, building it first if this vl-convert version has not been built."""
    import vl_convert

    path = Path(settings.PACKAGE_STATIC_ROOT) / vl_convert.__version__ / VEGA_BUNDLE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside and renamed: two processes building at once never leave half a file
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".part", delete=False
        ) as part:
            part.write(vl_convert.javascript_bundle())
        os.replace(part.name, path)
    return path


class PackageAssetsFinder(BaseFinder):
    """Finds `vendor/vega.js` (see the module's note) for collectstatic, `{% static %}` in
    development and WhiteNoise's finders."""

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if kwargs:
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        if path != VEGA_BUNDLE:
            return [] if find_all else None
        found = str(vega_bundle_path())
        return [found] if find_all else found

    def list(self, ignore_patterns):
        path = vega_bundle_path()
        root = path.parents[len(Path(VEGA_BUNDLE).parts) - 1]
        yield VEGA_BUNDLE, FileSystemStorage(location=root)
