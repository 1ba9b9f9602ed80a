"""Writes of the registry: appends, signed tree heads, co-signatures, commitments."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aimai_site.errors import DomainError, InvalidInput, NotFoundError
from registry import merkle
from registry.appending import documents_append
from registry.keys import sign
from registry.models import (
    Commitment,
    Cosignature,
    Entry,
    LogState,
    Node,
    SearchTerm,
    TreeHead,
    Witness,
)
from registry.selectors import log_size
from registry.withholding import entries_naming, entries_withhold


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Event:
    """A public event, as it enters the log. Names organisations and public objects only;
    anything personal goes in as a commitment (see `commitment_create`)."""

    event: str  # e.g. "score_set.published"
    identifier: str  # the object's public identifier: a slug, "slug@version", a digest
    url: str
    digest: str  # SHA-256 hex of the public content the entry refers to
    timestamp: int = 0  # milliseconds; 0 means now
    organisation: str = ""
    country: str = ""
    commitments: dict[str, str] = field(default_factory=dict)
    note_digest: str = ""  # SHA-256 hex of a public note (a correction's "what changed and why")

    def document(self, timestamp: int) -> dict:
        doc = {
            "event": self.event,
            "id": self.identifier,
            "url": self.url,
            "digest": self.digest,
            "timestamp": timestamp,
        }
        if self.organisation:
            doc["organisation"] = self.organisation
        if self.country:
            doc["country"] = self.country
        if self.commitments:
            doc["commitments"] = dict(self.commitments)
        if self.note_digest:
            doc["note_digest"] = self.note_digest
        return doc


class LogCorrupted(DomainError):
    """The head of the log disagrees with its stored entries or hashes: nothing is appended or
    signed until an operator has looked (the verifier shows what differs)."""

    code = "log_corrupted"
    http_status = 503


def _state_locked() -> LogState:
    """The head of the log, locked until the transaction ends, and checked against what is
    stored: appends go one at a time, and never build on a head that was tampered with."""
    LogState.objects.get_or_create(pk=1)  # made by a migration; again after a test flush
    state = LogState.objects.select_for_update().get(pk=1)
    last = Entry.objects.order_by("-leaf_index").values_list("leaf_index", flat=True).first()
    if (last + 1 if last is not None else 0) != state.size:
        raise LogCorrupted(
            _("The log's head says %(size)s entries; the last is %(last)s.")
            % {"size": state.size, "last": last}
        )
    edge = merkle.perfect_keys(0, state.size) if state.size else []
    stored = {
        (level, index): h
        for level, index, h in Node.objects.filter(
            level__in={k[0] for k in edge}, index__in={k[1] for k in edge}
        ).values_list("level", "index", "hash")
    }
    if [[level, stored.get((level, index))] for level, index in edge] != state.frontier:
        raise LogCorrupted(_("The log's head frontier is not its stored right edge."))
    return state


@transaction.atomic
def registry_append(events: Sequence[Event]) -> list[Entry]:
    """Append events in order, as consecutive leaves, with the subtree hashes they complete.

    Cost per entry: one leaf hash and at most log n node hashes, from the stored frontier; of
    what is already stored, only the last index and the O(log n) right-edge hashes are read,
    to check the head. The head row lock serialises concurrent appends; the check and unique
    leaf indexes and node positions make a gap, a duplicate or a fork impossible.
    """
    state = _state_locked()
    stamp = now_ms()
    return documents_append(
        entry_model=Entry,
        node_model=Node,
        state=state,
        documents=[event.document(event.timestamp or stamp) for event in events],
        term_model=SearchTerm,
    )


@transaction.atomic
def registry_withhold(leaf_indexes: Iterable[int], reason: str) -> list[int]:
    """Withhold entries that name a person: their text goes, their leaf hash stays (every
    proof stays valid), and an `entry.withheld` entry for each enters the log. Returns the
    leaf indexes withheld (entries withheld already are left as they are)."""
    if not reason.strip():
        raise InvalidInput(_("Say why the entries are withheld."), field="reason")
    state = _state_locked()
    return entries_withhold(
        entry_model=Entry,
        node_model=Node,
        state=state,
        leaf_indexes=leaf_indexes,
        reason=reason.strip(),
        timestamp=now_ms(),
        term_model=SearchTerm,
    )


def registry_withhold_naming(texts: Iterable[str], reason: str) -> list[int]:
    """Withhold every entry whose text contains one of `texts` (a person's name, a slug)."""
    found = entries_naming(Entry, texts)
    return registry_withhold(found, reason) if found else []


def tree_head_current() -> TreeHead:
    """The signed head of the log as it is now: the stored one, or a new one signed now."""
    size = log_size()
    head = TreeHead.objects.filter(tree_size=size).order_by("-timestamp").first()
    if head is not None:
        return head
    with transaction.atomic():
        state = _state_locked()  # never sign a head that disagrees with the stored log
        head = TreeHead.objects.filter(tree_size=state.size).order_by("-timestamp").first()
        if head is not None:
            return head
        frontier = [(level, bytes.fromhex(h)) for level, h in state.frontier]
        root = merkle.frontier_root(frontier).hex()
        stamp = now_ms()
        signature = sign(merkle.tree_head_bytes(state.size, stamp, root))
        return TreeHead.objects.create(
            tree_size=state.size, timestamp=stamp, root_hash=root, signature=signature
        )


def witness_cosign(
    *, witness: str, tree_size: int, timestamp: int, root_hash: str, signature: str
) -> tuple[Cosignature, bool]:
    """Record a registered witness's signature over a tree head the log signed."""
    found = Witness.objects.filter(name=witness, active=True).first()
    if found is None:
        raise NotFoundError(_("No registered witness “%(witness)s”.") % {"witness": witness})
    head = TreeHead.objects.filter(
        tree_size=tree_size, timestamp=timestamp, root_hash=root_hash
    ).first()
    if head is None:
        raise NotFoundError(_("The log never signed that tree head."))
    key = serialization.load_pem_public_key(found.public_key.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise DomainError(
            _("Witness %(witness)s has no Ed25519 key.") % {"witness": witness}, code="bad_key"
        )
    try:
        key.verify(
            base64.b64decode(signature, validate=True),
            merkle.tree_head_bytes(tree_size, timestamp, root_hash),
        )
    except (InvalidSignature, ValueError):
        raise InvalidInput(
            _("The signature is not %(witness)s's signature over that tree head.")
            % {"witness": witness},
            field="signature",
        ) from None
    return Cosignature.objects.get_or_create(
        tree_head=head, witness=found, defaults={"signature": signature}
    )


def commitment_create(value: str, user=None) -> str:
    """Store a personal value outside the log; return SHA-256(salt || value), for the log.

    `user` is the person the value is about (when there is an account): erasing that person
    finds the commitment through it."""
    salt = secrets.token_hex(32)
    digest = hashlib.sha256((salt + value).encode("utf-8")).hexdigest()
    Commitment.objects.create(digest=digest, salt=salt, value=value, user=user)
    return digest


def commitment_erase(digest: str) -> None:
    """Honour an erasure request: forget the value and its salt. The log does not change."""
    Commitment.objects.filter(digest=digest).update(salt="", value="", erased_at=timezone.now())


def commitments_erase(*, user=None, values: Iterable[str] = ()) -> int:
    """Erase every commitment of a person: those linked to the account, and those whose value
    is one of `values` (commitments made before they were linked). Returns how many."""
    match = Q(value__in=[v for v in values if v])
    if user is not None:
        match |= Q(user=user)
    return Commitment.objects.filter(match, erased_at__isnull=True).update(
        salt="", value="", erased_at=timezone.now()
    )
