"""Account-level records every app builds on."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A member's personal API token. Only a SHA-256 digest of the token is kept: the token
    itself is shown once, when it is made. `prefix` is its public part, used to find the row
    (and shown in the list so the member can tell tokens apart)."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class OutboxJob(models.Model):
    """Work a change asks of the workers (a recompute, an e-mail), recorded in the change's own
    transaction: if the change commits, the job exists, whether or not the broker is up; the
    relay sends it on (aimai_site/outbox.py). The job's id is the Celery task id, so a message
    delivered twice runs once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)
    relays = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "outbox job"
        indexes = [
            # the relay's question: what is unfinished, oldest first
            models.Index(
                fields=["created_at"],
                name="outbox_unfinished",
                condition=models.Q(done_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.id}"


class LanguagePreference(models.Model):
    """The language a member last chose while signed in: their e-mail is written in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(max_length=8)
    chosen_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class ContentTranslation(models.Model):
    """An editor's translation of a piece of content written in English: a release's notes,
    a methodology's rationale, a principle. `field` names the piece within its object (see
    aimai_site/content.py for the pieces each kind of object offers). The English text stays
    the authority (and the one in the registry's digests); a page in another language shows
    the translation, else the English with a note saying so."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="one_translation_per_piece_and_language",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "language"])]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} {self.field} [{self.language}]"
