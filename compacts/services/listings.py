"""Offers and needs: drafts, publication, withdrawal; each change queues the suggestions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from aimai_site.errors import DomainError
from compacts.choices import PublicationStatus
from compacts.models import (
    Need,
    Offer,
)
from compacts.permissions import (
    require_alliance_member,
    require_member,
    require_owner,
)
from compacts.suggestions import suggestions_recompute_soon

# what only members of the alliance may do, as "Only members of the alliance can …" ends
PUBLISH = {
    "offer": pgettext_lazy("only members of the alliance can", "publish offers"),
    "need": pgettext_lazy("only members of the alliance can", "publish needs"),
}


def _listing_save(model, *, user, organisation, instance=None, **fields):
    if instance is not None:
        organisation = instance.organisation
    require_member(user, organisation)
    if instance is None:
        listing = model(organisation=organisation)
    else:
        listing = model.objects.select_for_update().get(pk=instance.pk)
        if listing.status == PublicationStatus.WITHDRAWN:
            raise DomainError(_("A withdrawn listing cannot be edited."), code="withdrawn")
        if listing.status == PublicationStatus.PUBLISHED:
            require_owner(user, organisation)  # what is public speaks for the organisation
    for name in ("organisation", "status", "published_at", "created_at", "id", "pk"):
        fields.pop(name, None)
    for name, value in fields.items():
        setattr(listing, name, value)
    listing.full_clean()
    listing.save()
    if listing.status == PublicationStatus.PUBLISHED:
        suggestions_recompute_soon()
    return listing


@transaction.atomic
def offer_save(*, user, organisation=None, instance: Offer | None = None, **fields) -> Offer:
    return _listing_save(Offer, user=user, organisation=organisation, instance=instance, **fields)


@transaction.atomic
def need_save(*, user, organisation=None, instance: Need | None = None, **fields) -> Need:
    return _listing_save(Need, user=user, organisation=organisation, instance=instance, **fields)


@transaction.atomic
def listing_publish(*, user, listing: Offer | Need) -> Offer | Need:
    require_owner(user, listing.organisation)
    require_alliance_member(listing.organisation, PUBLISH[listing._meta.model_name])
    listing = type(listing).objects.select_for_update().get(pk=listing.pk)
    if listing.status == PublicationStatus.PUBLISHED:
        raise DomainError(_("Already published."), code="published")
    listing.full_clean()
    listing.status, listing.published_at = PublicationStatus.PUBLISHED, timezone.now()
    listing.save(update_fields=["status", "published_at"])
    suggestions_recompute_soon()
    return listing


@transaction.atomic
def listing_withdraw(*, user, listing: Offer | Need) -> Offer | Need:
    require_owner(user, listing.organisation)
    listing = type(listing).objects.select_for_update().get(pk=listing.pk)
    if listing.status == PublicationStatus.WITHDRAWN:
        raise DomainError(_("Already withdrawn."), code="withdrawn")
    listing.status = PublicationStatus.WITHDRAWN
    listing.save(update_fields=["status"])
    suggestions_recompute_soon()
    return listing
