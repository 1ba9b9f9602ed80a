"""Background jobs of the countries app. Tasks take ids and call services or selectors."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from aimai_site.outbox import outbox_enqueue
from countries.backcast import backcast_compute
from countries.current import public_pages_warm
from countries.models import DataRelease
from countries.scoring import index_recompute
from countries.services import data_release_digest

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def data_release_verify_task(release_id: int) -> dict | None:
    """Recompute a published release's digest and compare it with the one fixed at publication."""
    release = DataRelease.objects.published().filter(pk=release_id).first()
    if release is None:
        logger.warning("data release %s is gone or not published; nothing to verify", release_id)
        return None
    recomputed = data_release_digest(release=release)
    if recomputed != release.content_digest:
        logger.error("data release %s digest mismatch: %s", release.slug, recomputed)
    return {
        "release": release.slug,
        "content_digest": release.content_digest,
        "recomputed_digest": recomputed,
        "ok": recomputed == release.content_digest,
    }


@shared_task(acks_late=True)
def data_releases_verify_task() -> dict:
    """Verify every published release (scheduled daily by beat)."""
    results = [
        data_release_verify_task(pk)
        for pk in DataRelease.objects.published().values_list("pk", flat=True)
    ]
    return {
        "checked": len(results),
        "mismatched": [r["release"] for r in results if r and not r["ok"]],
    }


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def recompute_index_task(slug: str | None = None) -> list[dict]:
    """Score the current release with every published methodology; unchanged inputs do nothing.

    Safe to run twice or to kill: each score set commits whole or not at all, and identical
    inputs never make a second one (the inputs digest is unique).
    """
    done = [
        {"score_set": score_set.digest, "created": created}
        for score_set, created in index_recompute(slug=slug)
    ]
    # the new score set's pages, rendered by a worker before the first reader asks; tasks that
    # run in-process (no worker) leave them to render on the first read instead of holding up
    # the publication that queued this for every page of the site
    if done and not recompute_index_task.app.conf.task_always_eager:
        outbox_enqueue("countries.tasks.public_pages_warm_task")
    return done


@shared_task(acks_late=True)
def public_pages_warm_task() -> dict:
    """Render the public pages of the current score sets once, before anyone asks (queued
    after a recompute stores a score set; a page nobody warmed renders on its first read)."""
    done = public_pages_warm()
    return {"pages": len(done), "failed": sorted(p for p, status in done.items() if status >= 500)}


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def backcast_task() -> list[dict]:
    """Apply the headline methodology to every earlier release it has not scored (back-casts).

    Safe to run twice or to kill, like the recompute: each score set commits whole, and a
    release once scored is not scored again."""
    return [
        {"score_set": score_set.digest, "release": score_set.release.slug, "created": created}
        for score_set, created in backcast_compute()
    ]
