"""The outbox relay: sends recorded jobs to the broker until stopped (a Procfile process)."""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from aimai_site.outbox import RELAY_BATCH, outbox_relay

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the jobs recorded in the outbox to the broker, every second, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, once: bool = False, **options):
        if once:
            self.stdout.write(f"{outbox_relay()} job(s) sent")
            return
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        logger.info("outbox relay started")
        while not stopping:
            close_old_connections()  # a database that restarted: the next round reconnects
            try:
                sent = outbox_relay()
            except DatabaseError as exc:
                logger.warning("outbox relay: database unavailable (%s); trying again", exc)
                sent = 0
            except Exception:  # whatever else fails, the jobs wait: the relay goes on
                logger.exception("outbox relay: a round failed; trying again")
                sent = 0
            if sent < RELAY_BATCH:  # a full batch means more are waiting: no pause
                time.sleep(settings.OUTBOX_RELAY_INTERVAL)
        logger.info("outbox relay stopped")
