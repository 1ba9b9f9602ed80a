"""A queue per kind of work: each task goes to its queue, and every worker command consumes all
of them."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from aimai_site.celery import app
from tests.conftest import TASK_MODULES

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = {
    "countries.tasks.recompute_index_task": "index",
    "countries.tasks.public_pages_warm_task": "index",
    "countries.tasks.backcast_task": "index",
    "compacts.tasks.suggestions_recompute_task": "matching",
    "aimai_site.tasks.mail_send_task": "mail",
    # beat's housekeeping and the heartbeat stay on the default queue
    "countries.tasks.data_release_verify_task": "celery",
    "countries.tasks.data_releases_verify_task": "celery",
    "compacts.tasks.compacts_mark_stale_task": "celery",
    "compacts.tasks.memberships_lapse_task": "celery",
    "compacts.tasks.proposals_close_task": "celery",
    "aimai_site.tasks.worker_heartbeat_task": "celery",
}


def queue_of(name: str, **options) -> str:
    return app.amqp.router.route(options, name)["queue"].name


def app_task_names() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if name.startswith(TASK_MODULES)}


@pytest.mark.parametrize(("task", "queue"), EXPECTED.items())
def test_each_task_goes_to_the_queue_of_its_kind_of_work(task, queue):
    assert task in app.tasks
    assert queue_of(task) == queue


def test_every_task_of_the_platform_has_its_queue_stated_here():
    # a new task must be placed deliberately (a new heavy task left on "celery" would hold up
    # the housekeeping); the outbox's own tasks, when present, are on the default queue
    unknown = {name for name in app_task_names() - EXPECTED.keys() if "outbox" not in name}
    assert not unknown, (
        f"add these tasks to EXPECTED (and to CELERY_TASK_ROUTES if need be): {unknown}"
    )


def test_mail_has_a_queue_of_its_own():
    mail = queue_of("aimai_site.tasks.mail_send_task")
    others = {queue_of(name) for name in EXPECTED if name != "aimai_site.tasks.mail_send_task"}
    assert mail not in others
    assert {"index", "matching"} <= others


def test_a_queue_given_when_sending_wins_over_the_route():
    # how the suite's private worker queues reach a routed task
    assert queue_of("countries.tasks.recompute_index_task", queue="private") == "private"


def test_the_routed_test_queue_takes_every_task(tasks_routed_to):
    tasks_routed_to("private-test-queue")
    assert {queue_of(name) for name in app_task_names()} == {"private-test-queue"}


def test_the_routes_come_back_after_a_test_routed_them_elsewhere(tasks_routed_to):
    tasks_routed_to("another-private-queue")
    assert queue_of("aimai_site.tasks.mail_send_task") == "another-private-queue"


def test_the_routes_are_the_settings_again_afterwards():
    # runs after the test above (file order): its fixture put the configured routes back
    assert app.conf.task_routes == settings.CELERY_TASK_ROUTES
    assert queue_of("aimai_site.tasks.mail_send_task") == "mail"


def consumed_queues(command: str) -> set[str]:
    found = re.search(r"-Q\s+(\S+)", command)
    assert found, f"no -Q in {command!r}"
    return set(found.group(1).split(","))


def test_the_worker_commands_consume_every_queue():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert set(settings.WORK_QUEUES) == routed | {"celery"}
    makefile = (ROOT / "Makefile").read_text()
    worker = re.search(r"^worker:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    procfile = (ROOT / "Procfile").read_text()
    worker_line = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    for command in (worker, worker_line):
        assert consumed_queues(command) == set(settings.WORK_QUEUES)
