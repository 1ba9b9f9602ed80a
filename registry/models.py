"""The transparency log: entries, the stored subtree hashes, signed tree heads, witnesses.

Entries, nodes, tree heads and co-signatures are append-only: database triggers (migration
0002) reject every UPDATE and DELETE. The one row that changes is `LogState`, the head of the
log (its size and frontier); appends lock it, so they happen one at a time, in order.
"""

from django.db import models


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
    timestamp = models.PositiveBigIntegerField(help_text="Milliseconds since the Unix epoch.")

    class Meta:
        ordering = ["leaf_index"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"#{self.leaf_index} {self.event} {self.identifier}"


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
    timestamp = models.PositiveBigIntegerField(help_text="Milliseconds since the Unix epoch.")
    root_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=100, help_text="Base64 Ed25519 signature.")

    class Meta:
        ordering = ["-tree_size", "-timestamp"]
        get_latest_by = ["tree_size", "timestamp"]
        constraints = [
            models.UniqueConstraint(fields=["tree_size", "timestamp"], name="tree_head_unique")
        ]

    def __str__(self) -> str:
        return f"tree head {self.tree_size} @ {self.timestamp}"


class Witness(models.Model):
    """Another alliance member that checks and co-signs tree heads with its own key."""

    name = models.CharField(max_length=200, unique=True)
    public_key = models.TextField(help_text="The witness's Ed25519 public key, PEM.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

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

    def __str__(self) -> str:
        return self.digest
