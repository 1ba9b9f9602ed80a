"""What the public index is right now, known without a database query.

`current_pointer()` answers from the cache: the headline methodology, the current score set
of every methodology, and the public content generation. The generation is a token that
changes on every event that may change a public page (a score set made current, a release
or methodology version published, the headline moved, a country, indicator or compact
edited); the pointer is cached under it, so a change makes every process read the database
again on its next request, and every page rendered once under the old generation is keyed
by it and can never be served again (see aimai_site/rendered.py).

The token lives in the shared cache (Redis in production). Without Redis the default cache
is in each process's memory, so the token is joined by a marker file that every process on
the machine reads (a file read, not a query): a change made by one gunicorn worker reaches
the others at their next request.

The token changes twice for a change made in a transaction: at once (so the same process,
and a test inside one transaction, sees it) and again after commit (so a reader that read
the old rows between the two cached them under a token that is already gone).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "public-generation"
POINTER_SECONDS = 24 * 3600
# changes too frequent to matter to a public page, or that always come with a publication
QUIET_MODELS = {
    "countries.observation",  # a draft's rows; published rows are frozen by triggers
    "countries.score",  # written in bulk with its score set, which is announced
    "countries.dataimport",
    "countries.importmapping",
}


@dataclass(frozen=True)
class Pointer:
    """The public index at one generation: the headline methodology's slug and the digest of
    the current score set of each methodology."""

    generation: str
    headline: str | None
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """The headline's current score set ("" before there is one)."""
        return self.digests.get(self.headline or "", "")

    @property
    def state(self) -> str:
        """Everything a public page may depend on besides its address, in 16 hex digits."""
        canonical = repr((self.generation, self.headline, sorted(self.digests.items())))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _cache_is_shared() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _marker_path() -> Path:
    """One file per database (and cache prefix): the processes of one site share it."""
    db = settings.DATABASES["default"]
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    identity = f"{db['ENGINE']}|{db.get('HOST', '')}|{db.get('PORT', '')}|{db['NAME']}|{prefix}"
    name = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"aimai-public-{name}"


def _marker_read() -> str:
    try:
        return _marker_path().read_text(encoding="ascii")
    except FileNotFoundError:
        return ""


def _marker_write(token: str) -> None:
    path = _marker_path()
    partial = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    partial.write_text(token, encoding="ascii")
    os.replace(partial, path)  # readers see the old token or the new one, never half


def marker_forget() -> None:
    """Remove this site's marker file (a test run's sites each leave one otherwise)."""
    _marker_path().unlink(missing_ok=True)


def generation() -> str:
    """The public content generation's token. Without a shared cache it is the marker file's
    alone, so that every process of the site gives a page the same ETag."""
    if not _cache_is_shared():
        if not (token := _marker_read()):
            _marker_write(uuid.uuid4().hex)  # two processes racing: the file settles on one
            token = _marker_read()
        return token
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY) or ""
    return token


def _bump() -> None:
    token = uuid.uuid4().hex
    cache.set(GENERATION_KEY, token, timeout=None)
    if not _cache_is_shared():
        _marker_write(token)


def public_content_changed() -> None:
    """Something the public pages show has changed: forget what is current, now and once
    the transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def current_pointer() -> Pointer:
    """The public index now: from the cache, or from the database on a miss."""
    token = generation()
    key = f"current-pointer:{hashlib.sha256(token.encode()).hexdigest()[:24]}"
    found = cache.get(key)
    if found is not None:
        return found
    pointer = _pointer_read(token)
    cache.set(key, pointer, timeout=POINTER_SECONDS)
    return pointer


def _pointer_read(token: str) -> Pointer:
    from countries.models import Methodology, ScoreSet

    headline = Methodology.objects.headline()
    digests = {
        s.methodology_version.methodology.slug: s.digest
        for s in ScoreSet.objects.current_per_methodology().values()
    }
    return Pointer(generation=token, headline=headline.slug if headline else None, digests=digests)


def _changed(sender, **kwargs) -> None:
    if sender._meta.label_lower not in QUIET_MODELS:
        public_content_changed()


def _published(sender, **kwargs) -> None:
    public_content_changed()


def connect() -> None:
    """Listen for changes to what public pages show (called once, at start-up): saves and
    deletions in the countries and compacts apps and of content translations, and every
    publication (a score set made current, a release or methodology version published)."""
    from django.apps import apps

    from countries.publication import published

    published.connect(_published, dispatch_uid="current-pointer-published")
    models = [
        m for label in ("countries", "compacts") for m in apps.get_app_config(label).get_models()
    ]
    # the translations of what public pages say (release notes, methodology texts, principles)
    models.append(apps.get_model("aimai_site", "ContentTranslation"))
    for model in models:
        uid = f"current-pointer-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for m2m in model._meta.local_many_to_many:
            m2m_changed.connect(
                _changed, sender=m2m.remote_field.through, dispatch_uid=f"{uid}-{m2m.name}"
            )


def public_paths() -> list[str]:
    """The public index's pages: the overview and its charts, the methodology, the lists of
    countries and groups, the maps, the about page and every country's page."""
    from django.urls import reverse

    from countries.models import Country

    countries = Country.objects.order_by("iso3").values_list("iso3", flat=True)
    digest = current_pointer().digest
    # the overview's charts as the server draws them, which the page shows first
    stills = (
        [
            f"{reverse('chart', kwargs={'name': name, 'fmt': 'svg'})}?score_set={digest}{extra}"
            for name, extra in (
                ("concentration", "&sort=capability"),
                ("scatter", ""),
                ("map", "&field=aimai"),
            )
        ]
        if digest
        else []
    )
    return [
        reverse("home"),
        *stills,
        reverse("methodology:page"),
        reverse("countries:list"),
        reverse("groups:list"),
        reverse("maps"),
        reverse("about"),
        *(reverse("countries:detail", kwargs={"iso3": iso3}) for iso3 in countries),
    ]


def public_pages_warm(paths: list[str] | None = None) -> dict[str, int]:
    """Render the public pages for anonymous visitors now, so the first reader of a new score
    set is served from the cache: each page through its own view and cache key, exactly as a
    visitor's request would render it. Returns {path: status}."""
    import logging

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.urls import resolve

    factory = RequestFactory()
    done = {}
    for path in paths if paths is not None else public_paths():
        request = factory.get(path)
        request.user = AnonymousUser()
        request.resolver_match = match = resolve(path.partition("?")[0])
        try:
            done[path] = match.func(request, *match.args, **match.kwargs).status_code
        except Exception:  # one page's failure must not stop the others; its visitor renders it
            logging.getLogger(__name__).exception("warming %s failed", path)
            done[path] = 500
    return done
