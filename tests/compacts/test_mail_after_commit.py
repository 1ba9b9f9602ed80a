"""E-mail leaves through a retrying task after the change it tells of commits: a mail server
that is down neither undoes nor hides a saved change (the request still succeeds, the failure
is logged), a real worker tries again later, and a subject stays one line whatever the names
in it."""

import logging
import socket
import uuid

import pytest
from rest_framework.test import APIClient

from aimai_site.tasks import mail_send_task
from compacts.models import Invitation, Organisation
from tests.conftest import Worker


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


def invite(cast, email: str):
    client = APIClient()
    client.force_authenticate(cast.provider_owner)
    url = f"/api/v1/organisations/{cast.provider.slug}/invitations/"
    return client.post(url, {"email": email}, format="json")


def test_an_invitation_is_saved_and_answered_even_when_the_mail_server_is_down(
    cast, mail_server_down, eager_tasks, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = invite(cast, "ngozi@lab.example")
    assert response.status_code == 201
    assert Invitation.objects.filter(organisation=cast.provider, email="ngozi@lab.example")
    assert "could not be sent" in caplog.text


def test_a_subject_stays_one_line_whatever_a_stored_name_holds(
    cast, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    # a name saved before names were checked
    Organisation.objects.filter(pk=cast.provider.pk).update(name="Open\r\nCompute")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(cast, "ngozi@lab.example")
    assert response.status_code == 201
    (mail,) = [m for m in mailoutbox if m.to == ["ngozi@lab.example"]]
    assert mail.subject == "[AI4NATIONS] Join Open Compute"


@pytest.mark.services
def test_a_worker_tries_a_message_again_while_the_mail_server_is_down(
    redis_url, tmp_path, monkeypatch
):
    # the task reads no database: a worker of its own, without the database fixtures
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(closed_port()))
    monkeypatch.setenv("EMAIL_USE_TLS", "false")
    queue = f"test-mail-{uuid.uuid4().hex[:10]}"
    worker = Worker(queue, tmp_path / "worker.log")
    try:
        worker.wait_ready()
        mail_send_task.apply_async(
            kwargs={"subject": "Hello", "body": "Hi", "to": ["a@example.org"]}, queue=queue
        )
        worker.wait_for_log("Retry in", timeout=60)
    finally:
        worker.stop()
    assert "ConnectionRefusedError" in worker.log.read_text()
