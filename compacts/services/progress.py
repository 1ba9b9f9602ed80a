"""Progress reports, their confirmation by every party, and stale compacts."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import DomainError, InvalidInput
from compacts.choices import CompactStatus, Role
from compacts.models import (
    Compact,
    Confirmation,
    Party,
    ProgressReport,
    ProgressValue,
)
from compacts.notifications import compact_notify, dated
from compacts.permissions import (
    require_member,
    require_owner,
)
from compacts.registry_names import organisation_named
from compacts.services.content import _locked_compact
from compacts.services.transitions import _compact_event
from countries.current import public_content_changed
from countries.publication import index_recompute_after_commit
from registry.merkle import canonical_json
from registry.services import Event, registry_append


def _report_digest(report: ProgressReport) -> str:
    document = {
        "compact": report.compact.reference,
        "party": report.party.organisation.slug,
        "period_end": report.period_end.isoformat(),
        "summary": report.summary,
        "values": {
            str(v.outcome.indicator): str(v.value)
            for v in report.values.select_related("outcome").order_by("outcome__pk")
        },
        "verified": report.verified,
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


@transaction.atomic
def report_file(
    *,
    user,
    compact: Compact,
    party: Party,
    period_end: date,
    summary: str,
    values: dict[int, Decimal] | None = None,
) -> ProgressReport:
    """A party's progress report against the outcomes; self-reported until every party
    confirms it. Filing by an owner counts as the filing party's confirmation."""
    require_member(user, party.organisation)
    compact = _locked_compact(compact)
    if party.compact_id != compact.pk:
        raise InvalidInput(_("That party is not in this compact."), field="party")
    if compact.status != CompactStatus.ACTIVE:
        raise DomainError(_("Progress is reported on an active compact."), code="not_active")
    if period_end > timezone.localdate():
        raise InvalidInput(_("The period cannot end in the future."), field="period_end")
    if compact.activated_at and period_end < timezone.localdate(compact.activated_at):
        raise InvalidInput(
            _("The period cannot end before the compact became active (%(date)s).")
            % {"date": date_format(timezone.localdate(compact.activated_at), "d F Y")},
            field="period_end",
        )
    outcomes = {o.pk: o for o in compact.outcomes.all()}
    values = values or {}
    strangers = set(values) - set(outcomes)
    if strangers:
        raise InvalidInput(_("Values must be for this compact's outcomes."), field="values")
    report = ProgressReport(
        compact=compact, party=party, filed_by=user, period_end=period_end, summary=summary
    )
    report.full_clean()
    report.save()
    ProgressValue.objects.bulk_create(
        [ProgressValue(report=report, outcome=outcomes[k], value=v) for k, v in values.items()]
    )
    if party.organisation.memberships.filter(user=user, role=Role.OWNER).exists():
        Confirmation.objects.create(report=report, party=party, confirmed_by=user)
    if _report_verified_check(report):
        index_recompute_after_commit()  # confirmed progress can make the compact count
    compact_notify(
        compact,
        gettext_lazy("A progress report awaits your confirmation"),
        gettext_lazy(
            "%(organisation)s reported progress to %(date)s. It stays self-reported until every "
            "party confirms it."
        ),
        params={"organisation": party.organisation, "date": dated(period_end)},
        only=[p.organisation for p in compact.parties.exclude(pk=party.pk)],
        but=user,
    )
    if compact.stale_since:
        compact.stale_since = None
        compact.save(update_fields=["stale_since"])
    registry_append(
        [
            Event(
                event="progress_report.filed",
                identifier=f"{compact.reference}/report-{report.pk}",
                url=compact.get_absolute_url() + f"#report-{report.pk}",
                digest=_report_digest(report),
                **organisation_named(party.organisation),
            )
        ]
    )
    return report


def _report_verified_check(report: ProgressReport) -> bool:
    """Verify the report once every party confirmed it; True when this call verified it."""
    parties = set(report.compact.parties.values_list("pk", flat=True))
    confirmed = set(report.confirmations.values_list("party", flat=True))
    if parties <= confirmed and report.verified_at is None:
        report.verified_at = timezone.now()
        report.save(update_fields=["verified_at"])
        return True
    return False


@transaction.atomic
def report_confirm(*, user, report: ProgressReport, party: Party) -> ProgressReport:
    """A party's owner confirms a report; the last confirmation verifies it (in the log)."""
    require_owner(user, party.organisation)
    compact = _locked_compact(report.compact)  # the same order as a termination's: no race
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if party.compact_id != report.compact_id:
        raise InvalidInput(_("That party is not in this compact."), field="party")
    if compact.status != CompactStatus.ACTIVE:
        # nothing is recorded on a compact once it has ended
        raise DomainError(
            _("Reports are confirmed while the compact is active; it is %(status)s.")
            % {"status": CompactStatus(compact.status).label.lower()},
            code="not_active",
        )
    if Confirmation.objects.filter(report=report, party=party).exists():
        raise DomainError(_("This party already confirmed the report."), code="confirmed")
    Confirmation.objects.create(report=report, party=party, confirmed_by=user)
    if _report_verified_check(report):
        registry_append(
            [
                Event(
                    event="progress_report.verified",
                    identifier=f"{report.compact.reference}/report-{report.pk}",
                    url=report.compact.get_absolute_url() + f"#report-{report.pk}",
                    digest=_report_digest(report),
                    **organisation_named(report.party.organisation),
                )
            ]
        )
        # a methodology's rule may count a compact only once its progress is confirmed
        index_recompute_after_commit()
    return report


@transaction.atomic
def compacts_mark_stale(*, today: date | None = None) -> list[Compact]:
    """Active compacts with no report for longer than their reporting period become stale:
    once, with an entry in the log; a new report clears it."""
    today = today or timezone.localdate()
    # the last report of each, as a subquery: FOR UPDATE cannot lock a GROUP BY
    last = ProgressReport.objects.filter(compact=OuterRef("pk")).order_by("-filed_at")
    candidates = (
        Compact.objects.select_for_update()
        .filter(status=CompactStatus.ACTIVE, stale_since__isnull=True, activated_at__isnull=False)
        .annotate(last_report=Subquery(last.values("filed_at")[:1]))
    )
    marked = [
        compact
        for compact in candidates
        if (
            (compact.last_report or compact.activated_at)
            + timedelta(days=compact.reporting_period_days)
        ).date()
        < today
    ]
    if marked:
        now = timezone.now()
        Compact.objects.filter(pk__in=[c.pk for c in marked]).update(stale_since=now)
        public_content_changed()  # an update sends no signal; country pages show "stale"
        for compact in marked:
            compact.stale_since = now
        registry_append([_compact_event(c, "compact.stale") for c in marked])
    return marked
