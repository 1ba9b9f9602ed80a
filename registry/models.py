"""The transparency log: entries, the stored subtree hashes, signed tree heads, witnesses.

Entries, nodes, tree heads and co-signatures are append-only: database triggers (migration
0002) reject every UPDATE and DELETE. The one row that changes is `LogState`, the head of the
log (its size and frontier); appends lock it, so they happen one at a time, in order.

One update of an entry is allowed (migration 0010): withholding an entry that names a person.
Its text columns are blanked and its leaf hash kept, so every proof stays valid, and a new
entry `entry.withheld` says so in the log itself (registry/withholding.py).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.validators import plain_text, single_line
from registry import terms

ISO3_VALIDATOR = RegexValidator(r"^[A-Za-z]{3}$", _("Three letters: an ISO 3166-1 alpha-3 code."))
CODE_VALIDATOR = RegexValidator(r"^[a-z0-9_]{1,60}$", _("An indicator code: a-z, 0-9 and _."))
REFERENCE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9@._:-]{0,199}$", _("An identifier: letters, digits and @ . _ : -")
)


class LogState(models.Model):
    """The head of the log: how many entries it holds, and its right edge (the frontier)."""

    size = models.PositiveBigIntegerField(default=0)
    # [[level, hex hash], ...] largest subtree first: enough to append without reading the log
    frontier = models.JSONField(default=list)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_log_state")]

    def __str__(self) -> str:
        return f"log of {self.size} entries"


class Entry(models.Model):
    """One public event: `entry` is the canonical JSON text, exactly the bytes hashed."""

    leaf_index = models.PositiveBigIntegerField(unique=True)
    entry = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    event = models.CharField(max_length=60, db_index=True)
    identifier = models.CharField(max_length=200, db_index=True)
    url = models.CharField(max_length=500)
    digest = models.CharField(max_length=64, db_index=True)
    organisation = models.CharField(max_length=200, blank=True, db_index=True)
    country = models.CharField(max_length=3, blank=True, db_index=True)
    timestamp = models.PositiveBigIntegerField(help_text=_("Milliseconds since the Unix epoch."))
    # set once, when the entry's text is withheld because it names a person
    withheld_at = models.DateTimeField(null=True, blank=True)
    withheld_reason = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["leaf_index"]
        verbose_name_plural = _("entries")

    def __str__(self) -> str:
        if self.withheld:
            return gettext("#%(leaf_index)s %(event)s (withheld)") % {
                "leaf_index": self.leaf_index,
                "event": self.event,
            }
        return f"#{self.leaf_index} {self.event} {self.identifier}"

    @property
    def withheld(self) -> bool:
        return self.withheld_at is not None


class SearchTerm(models.Model):
    """A word an entry is found by (registry/terms.py): search reads this index, never the log.

    Not part of the log: withholding an entry deletes the words of its blanked text.
    """

    entry = models.ForeignKey(
        Entry,
        to_field="leaf_index",
        db_column="leaf_index",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="terms",
    )
    kind = models.CharField(max_length=1, choices=terms.KINDS)
    term = models.CharField(max_length=terms.MAX_TERM)

    class Meta:
        indexes = [models.Index(fields=["kind", "term"], name="registry_term_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.term} -> #{self.entry_id}"


class Node(models.Model):
    """The hash of a perfect subtree: 2**level leaves from leaf index * 2**level."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="node_unique_position")
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class TreeHead(models.Model):
    """A signed tree head: the log's Ed25519 signature over its size, time and root."""

    tree_size = models.PositiveBigIntegerField()
    timestamp = models.PositiveBigIntegerField(help_text=_("Milliseconds since the Unix epoch."))
    root_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=100, help_text=_("Base64 Ed25519 signature."))

    class Meta:
        ordering = ["-tree_size", "-timestamp"]
        get_latest_by = ["tree_size", "timestamp"]
        constraints = [
            models.UniqueConstraint(fields=["tree_size", "timestamp"], name="tree_head_unique")
        ]

    def __str__(self) -> str:
        return gettext("tree head %(tree_size)s @ %(timestamp)s") % {
            "tree_size": self.tree_size,
            "timestamp": self.timestamp,
        }


class Witness(models.Model):
    """Another alliance member that checks and co-signs tree heads with its own key."""

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    public_key = models.TextField(help_text=_("The witness's Ed25519 public key, PEM."))
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("witnesses")  # Django would add a bare "s"

    def __str__(self) -> str:
        return self.name


class Cosignature(models.Model):
    tree_head = models.ForeignKey(TreeHead, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    signature = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tree_head", "witness"], name="one_cosignature")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.tree_head}"


class Commitment(models.Model):
    """A personal value attested in the log only as SHA-256(salt || value).

    The salt and the value live here, outside the log. Erasing them (an erasure request)
    leaves the entry and every proof intact, and the value unrecoverable.
    """

    digest = models.CharField(max_length=64, unique=True)
    salt = models.CharField(max_length=64, blank=True)
    value = models.TextField(blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # whose value it is: an erasure request finds every commitment of that person
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )

    def __str__(self) -> str:
        return self.digest


class Concern(models.Model):
    """Accountability and redress: anyone with a verified account may raise a concern about a
    compact, a score or one indicator value. Filing and resolution enter the log; the text is
    public only once an editor accepts the concern."""

    class Category(models.TextChoices):
        DATA_ERROR = "data_error", _("A value is wrong or wrongly sourced")
        METHODOLOGY = "methodology", _("The methodology treats this unfairly")
        COMPACT_CONDUCT = "compact_conduct", _("A compact is not kept")
        SAFEGUARDS = "safeguards", _("Safeguards or data sovereignty are not respected")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed, awaiting moderation")
        ACCEPTED = "accepted", _("Accepted, under review")
        REJECTED = "rejected", _("Not accepted")
        RESOLVED = "resolved", _("Resolved")

    class Target(models.TextChoices):
        INDICATOR_VALUE = "indicator_value", _("An indicator value of a country")
        SCORE = "score", _("A country's score")
        COMPACT = "compact", _("A compact")
        MEMBERSHIP = "membership", _("A membership decision")

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="concerns"
    )
    target = models.CharField(max_length=20, choices=Target)
    country = models.CharField(
        _("country (ISO3)"), max_length=3, blank=True, validators=[ISO3_VALIDATOR]
    )
    indicator = models.CharField(
        _("indicator code"), max_length=60, blank=True, validators=[CODE_VALIDATOR]
    )
    reference = models.CharField(
        max_length=200,
        blank=True,
        validators=[REFERENCE_VALIDATOR],
        help_text=_("A score set digest, a compact's identifier or a membership (membership-N)."),
    )
    category = models.CharField(max_length=20, choices=Category)
    description = models.TextField(validators=[plain_text])
    evidence = models.JSONField(default=list, blank=True, help_text=_("Links to evidence."))
    status = models.CharField(max_length=10, choices=Status, default=Status.FILED)
    response = models.TextField(blank=True, help_text=_("The editors' answer, published."))
    content_salt = models.CharField(
        max_length=64, blank=True, help_text=_("Published with the text.")
    )
    content_digest = models.CharField(
        max_length=64, help_text=_("SHA-256(salt || the concern as filed), entered in the log.")
    )
    filer_commitment = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return gettext("concern %(pk)s (%(status)s)") % {
            "pk": self.pk,
            "status": self.get_status_display(),
        }

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.RESOLVED)
