"""What Celery beat queues, and how often (settings.CELERY_BEAT_SCHEDULE). Loaded by the
settings: nothing here imports Django."""

BEAT_SCHEDULE = {
    # /health/ready reports how long ago a worker last ran this
    "worker-heartbeat": {
        "task": "aimai_site.tasks.worker_heartbeat_task",
        "schedule": 60,
    },
    "verify-published-data-releases": {
        "task": "countries.tasks.data_releases_verify_task",
        "schedule": 24 * 3600,
    },
    # Publishing already queues a recompute; this catches anything missed (a broker outage).
    # Unchanged inputs make it a no-op.
    "recompute-index": {
        "task": "countries.tasks.recompute_index_task",
        "schedule": 3600,
    },
    "mark-stale-compacts": {
        "task": "compacts.tasks.compacts_mark_stale_task",
        "schedule": 24 * 3600,
    },
    # members that did not endorse the current principles by its date lapse
    "lapse-memberships": {
        "task": "compacts.tasks.memberships_lapse_task",
        "schedule": 24 * 3600,
    },
    # offers, needs and score sets queue a recompute as they change; this catches the rest
    "recompute-suggestions": {
        "task": "compacts.tasks.suggestions_recompute_task",
        "schedule": 6 * 3600,
    },
    # methodology proposals whose comment period ended are closed, for the editors to decide
    "close-proposal-comments": {
        "task": "compacts.tasks.proposals_close_task",
        "schedule": 3600,
    },
    # the relay process sends recorded jobs within a second; this sends them if it is not running
    "relay-outbox": {
        "task": "aimai_site.tasks.outbox_relay_task",
        "schedule": 60,
    },
    "prune-outbox": {
        "task": "aimai_site.tasks.outbox_prune_task",
        "schedule": 24 * 3600,
    },
}
