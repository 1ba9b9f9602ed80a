"""The alliance's principles, memberships and endorsements."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.validators import plain_text, single_line
from compacts.choices import (
    OPEN_MEMBERSHIP,
    ClusterRegion,
    ClusterStatus,
    MembershipStatus,
)
from countries.names import region_name as area_name


class PrinciplesQuerySet(models.QuerySet):
    def current(self) -> Principles | None:
        return self.order_by("-version").first()


class Principles(models.Model):
    """One version of the alliance's principles. A change is a new version: members endorse a
    version, and are asked to endorse the next one within `renewal_days`."""

    version = models.PositiveIntegerField(unique=True)
    principles = models.JSONField(help_text=_('A list of {"title": ..., "text": ...}.'))
    note = models.TextField(
        blank=True, validators=[plain_text], help_text=_("What changed from the previous version.")
    )
    renewal_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(7)],
        help_text=_("Days members have to endorse this version before their membership lapses."),
    )
    digest = models.CharField(max_length=64, help_text=_("SHA-256 of the version, in the log."))
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PrinciplesQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = _("principles")
        permissions = [("publish_principles", "Can publish a new version of the principles")]

    def __str__(self) -> str:
        return gettext("Principles, version %(version)s") % {"version": self.version}

    def get_absolute_url(self) -> str:
        return reverse("alliance:principles_version", kwargs={"version": self.version})

    @property
    def renew_by(self):
        return self.published_at + timezone.timedelta(days=self.renewal_days)


class AllianceMembershipQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_MEMBERSHIP)

    def accepted(self):
        return self.filter(status=MembershipStatus.ACCEPTED)

    def listed(self):
        """Accepted members the public sees: organisations an editor verified, and individuals
        who opted in. An organisation awaiting verification is a member (it may publish) but
        not yet vouched for, so the public does not see it by name."""
        individual = models.Q(organisation__kind="individual")
        return self.accepted().filter(
            (individual & models.Q(listed=True))
            | (~individual & models.Q(organisation__verified_at__isnull=False))
        )


class AllianceMembership(models.Model):
    """An organisation's application to the alliance, and the membership it becomes."""

    organisation = models.ForeignKey(
        "compacts.Organisation", on_delete=models.CASCADE, related_name="alliance_memberships"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("why you join"), validators=[plain_text])
    ways = models.JSONField(default=list, help_text=_("The ways of taking part intended."))
    domains = models.JSONField(default=list, blank=True, help_text=_("Focus domains."))
    listed = models.BooleanField(
        default=True,
        help_text=_("Shown in the member directory (an individual chooses; organisations are)."),
    )
    status = models.CharField(
        max_length=10, choices=MembershipStatus, default=MembershipStatus.APPLIED
    )
    status_reason = models.TextField(
        blank=True,
        validators=[plain_text],
        help_text=_("Why it was declined, suspended or ended; the applicant is told."),
    )
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = AllianceMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status__in=sorted(OPEN_MEMBERSHIP)),
                name="one_open_alliance_membership",
            )
        ]
        permissions = [
            ("decide_membership", "Can accept, decline, suspend and reinstate memberships")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_status_display()})"

    @property
    def is_member(self) -> bool:
        return self.status == MembershipStatus.ACCEPTED

    def endorsement(self) -> Endorsement | None:
        return (
            self.endorsements.select_related("principles").order_by("-principles__version").first()
        )


class Endorsement(models.Model):
    """A member's endorsement of one version of the principles."""

    membership = models.ForeignKey(
        AllianceMembership, on_delete=models.CASCADE, related_name="endorsements"
    )
    principles = models.ForeignKey(Principles, on_delete=models.PROTECT, related_name="+")
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    endorsed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-endorsed_at"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "principles"], name="one_endorsement")
        ]

    def __str__(self) -> str:
        return gettext("%(organisation)s endorsed version %(version)s") % {
            "organisation": self.membership.organisation,
            "version": self.principles.version,
        }


class ClusterQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=ClusterStatus.APPROVED)

    def proposed(self):
        return self.filter(status=ClusterStatus.PROPOSED)


class Cluster(models.Model):
    """A regional cooperation cluster: members working together across a set of countries,
    connected to the other clusters through the compacts that cross them. A member proposes
    one; an editor approves it (and the proposer joins) or declines it, with the reason."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, validators=[single_line])
    description = models.TextField(blank=True, validators=[plain_text])
    region_kind = models.CharField(
        _("countries from"), max_length=20, choices=ClusterRegion, default=ClusterRegion.SUBREGION
    )
    region_name = models.CharField(
        max_length=60,
        blank=True,
        validators=[single_line],
        help_text=_("The UN M49 grouping the countries were taken from; blank for a custom list."),
    )
    countries = models.ManyToManyField("countries.Country", related_name="clusters")
    domains = models.JSONField(default=list, blank=True, help_text=_("Focus domains."))
    status = models.CharField(max_length=10, choices=ClusterStatus, default=ClusterStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        "compacts.Organisation", on_delete=models.PROTECT, related_name="clusters_proposed"
    )
    proposed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True,
        validators=[plain_text],
        help_text=_("Why it was declined; the proposer is told."),
    )

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("decide_cluster", "Can approve and decline regional clusters")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clusters:detail", kwargs={"slug": self.slug})

    @property
    def region_label(self) -> str:
        if self.region_kind == ClusterRegion.CUSTOM:
            return gettext("Countries chosen by its members")
        return f"{area_name(self.region_name)} ({self.get_region_kind_display()})"


class ClusterMemberQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_at__isnull=True)


class ClusterMember(models.Model):
    """An organisation's membership of a cluster; leaving keeps the row, with its date."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "compacts.Organisation", on_delete=models.CASCADE, related_name="cluster_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = ClusterMemberQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "organisation"],
                condition=models.Q(left_at__isnull=True),
                name="one_open_cluster_membership",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(organisation)s in %(cluster)s") % {
            "organisation": self.organisation,
            "cluster": self.cluster,
        }


class OversightRole(models.Model):
    """A member's part in the alliance's oversight, recorded by an editor: a registry witness
    (linked to the witness key that co-signs the log's tree heads) or a reviewer."""

    class Kind(models.TextChoices):
        WITNESS = "witness", _("Registry witness")
        REVIEWER = "reviewer", _("Reviewer")

    organisation = models.ForeignKey(
        "compacts.Organisation", on_delete=models.CASCADE, related_name="oversight_roles"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    witness = models.ForeignKey(
        "registry.Witness",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a registry witness: the witness key it co-signs with."),
    )
    description = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text=_("What it reviews (concerns, data releases, methodology proposals...)."),
    )
    since = models.DateField(default=timezone.localdate)
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["since", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="witness", witness__isnull=False)
                | models.Q(kind="reviewer", witness__isnull=True),
                name="a_witness_role_names_its_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind == self.Kind.WITNESS and self.witness_id is None:
            raise ValidationError({"witness": gettext("A registry witness names its witness key.")})
        if self.kind == self.Kind.REVIEWER and self.witness_id is not None:
            raise ValidationError(
                {"witness": gettext("Only a registry witness has a witness key.")}
            )
        if self.until and self.until < self.since:
            raise ValidationError({"until": gettext("It ends after it starts.")})
        if (
            self.organisation_id
            and not self.organisation.alliance_memberships.filter(
                status=MembershipStatus.ACCEPTED
            ).exists()
        ):
            raise ValidationError(
                {
                    "organisation": gettext(
                        "Only an accepted member of the alliance takes an oversight role."
                    )
                }
            )
