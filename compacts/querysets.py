"""Reads of the compacts app: visibility lives here, once, for pages, forms and the API.

Word lists are JSON arrays; `_has_word` matches a quoted word in the stored text, which works
the same on SQLite and PostgreSQL (JSON `contains` does not exist on SQLite).
"""

from django.db import models

from compacts.choices import PUBLIC_STATUSES, PublicationStatus, Role


def _has_word(field: str, word: str) -> models.Q:
    return models.Q(**{f"{field}__icontains": f'"{word}"'})


class OrganisationQuerySet(models.QuerySet):
    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def owned_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=Role.OWNER)

    def verified(self):
        return self.filter(verified_at__isnull=False)

    def visible_to(self, user):
        """What a user may read of organisations: the member directory's (accepted members:
        organisations an editor verified, individuals who chose to be listed), and the user's
        own organisations; editors read them all."""
        if user.is_authenticated and user.has_perm("compacts.verify_organisation"):
            return self.all()
        individual = models.Q(kind="individual")
        # one filter() call: both conditions hold of the same membership
        members = self.model.objects.filter(
            models.Q(alliance_memberships__status="accepted")
            & (
                (individual & models.Q(alliance_memberships__listed=True))
                | (~individual & models.Q(verified_at__isnull=False))
            )
        )
        visible = models.Q(pk__in=members.values("pk"))
        if user.is_authenticated:
            visible |= models.Q(
                pk__in=self.model.objects.filter(memberships__user=user).values("pk")
            )
        return self.filter(visible)


class ListingQuerySet(models.QuerySet):
    """Offers and needs: published ones are public; drafts are seen by their members only."""

    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.published()
        mine = models.Q(organisation__memberships__user=user)
        return self.filter(models.Q(status=PublicationStatus.PUBLISHED) | mine).distinct()

    def with_domain(self, domain: str):
        return self.filter(_has_word("domains", domain))

    def with_language(self, language: str):
        return self.filter(_has_word("languages", language))

    def sharing_words_with(self, listing):
        """Listings with a domain or a language in common with `listing`."""
        q = models.Q(pk__in=[])
        for domain in listing.domains:
            q |= _has_word("domains", domain)
        for language in listing.languages:
            q |= _has_word("languages", language)
        return self.filter(q)


class CompactQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        """Public compacts, those of the user's organisations, and, for editors, those that
        await or had their review."""
        if not user.is_authenticated:
            return self.public()
        q = models.Q(status__in=PUBLIC_STATUSES) | models.Q(
            parties__organisation__memberships__user=user
        )
        if user.has_perm("compacts.review_compact"):
            q |= ~models.Q(status="draft")
        return self.filter(q).distinct()

    def with_domain(self, domain: str):
        return self.filter(_has_word("domains", domain))

    def with_resource_kind(self, kind: str):
        return self.filter(resources__kind=kind).distinct()
