"""Files of observations into draft releases: check, preview, apply, cancel.

The rules are `countries.intake`; this module feeds them the reference data from the database
and writes what they accept, in one transaction or not at all. Every door uses these
functions: the admin upload, `manage.py import_observations`, the editors' API, the public
file checker (which stores nothing) and the demo loader.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from aimai_site.bulk import rows_insert, rows_update
from aimai_site.errors import DomainError, InvalidInput
from countries.choices import ImportStatus, ReleaseAction
from countries.intake import (
    Assessment,
    CountryRef,
    Existing,
    FileRefused,
    IndicatorRule,
    Mapping,
    Reference,
    check,
    records,
)
from countries.intake.cells import ADD, CHANGE
from countries.intake.files import size_check
from countries.models import (
    Country,
    DataImport,
    DataRelease,
    ImportMapping,
    Indicator,
    Observation,
)
from countries.services import (
    data_release_create,
    release_editor_add,
    release_event,
    release_require_draft,
)

IMPORT_NOT_PREVIEWED = _("This import is {status}; only a previewed import can be applied.")
IMPORT_STALE = _(
    "The release changed since this file was previewed ({before} → {after}); preview it again."
)
WRITE_BATCH = 5000

Progress = Callable[[int], None]


def intake_reference(release: DataRelease | None) -> Reference:
    """Countries, indicators and the values already in `release` (none for a new draft)."""
    countries = {
        iso3: CountryRef(pk, iso3, name)
        for pk, iso3, name in Country.objects.values_list("pk", "iso3", "name")
    }
    names = {
        official: iso3
        for official, iso3 in Country.objects.exclude(official_name="").values_list(
            "official_name", "iso3"
        )
    }
    rules = Indicator.objects.values_list(
        "pk", "code", "unit", "minimum", "maximum", "log_scale", "max_change"
    )
    indicators = {row[1]: IndicatorRule(*row) for row in rules}
    existing = Existing()
    if release is not None and release.pk:
        existing = Existing.from_rows(
            Observation.objects.filter(release=release)
            .order_by()
            .values_list("pk", "country_id", "indicator_id", "year", "value", "source_url", "note")
            .iterator(chunk_size=WRITE_BATCH)
        )
    return Reference(countries, indicators, existing, last_year=timezone.now().year, names=names)


def _mapping(mapping: dict | Mapping | None) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    try:
        return Mapping.from_dict(mapping)
    except FileRefused as exc:
        raise InvalidInput(exc.message, field="mapping", code="invalid_mapping") from None


def file_assess(
    *,
    content: bytes,
    mapping: dict | Mapping | None = None,
    release: DataRelease | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    reference: Reference | None = None,
) -> Assessment:
    """Check a file against `release` (the current published release when None) and say what
    importing it would do. Writes nothing. A file that cannot be read at all raises
    InvalidInput with the reason. `reference`: the release's, when the caller has it."""
    if release is None:
        release = DataRelease.objects.current()
    if reference is None:
        reference = intake_reference(release)
    try:
        size_check(len(content), limit or settings.IMPORT_MAX_BYTES)
        return check(content, _mapping(mapping), reference, progress=progress)
    except FileRefused as exc:
        raise InvalidInput(exc.message, field="file", code="unreadable_file") from None


@transaction.atomic
def data_import_preview(
    *,
    release: DataRelease,
    content: bytes,
    filename: str,
    mapping: dict | None = None,
    user=None,
    progress: Progress | None = None,
) -> DataImport:
    """Check a file against a draft release and keep it, with its report, for the editor to
    apply or cancel. Nothing in the release changes yet."""
    release_require_draft(release)
    assessment = file_assess(content=content, mapping=mapping, release=release, progress=progress)
    return DataImport.objects.create(
        release=release,
        uploaded_by=user,
        filename=filename[:255],
        file_digest=hashlib.sha256(content).hexdigest(),
        content=zlib.compress(content, 1),  # tables of numbers shrink five- to tenfold
        mapping=dict(mapping or {}),
        report=assessment.report.to_dict(),
        **_counts(assessment),
    )


def _counts(assessment: Assessment) -> dict:
    report = assessment.report
    return {
        "added": report.added,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "errors": report.error_count,
        "flagged": report.flag_count,
    }


def data_import_apply(
    *, data_import: DataImport, user=None, progress: Progress | None = None
) -> DataImport:
    """Write a previewed file into its draft release: all of it in one transaction, or
    nothing. The file is checked again first; a release that changed since the preview, or a
    file with any error, writes nothing."""
    with transaction.atomic():
        data_import = DataImport.objects.select_for_update().get(pk=data_import.pk)
        release = DataRelease.objects.select_for_update().get(pk=data_import.release_id)
        release_require_draft(release)
        if data_import.status != ImportStatus.PREVIEWED:
            raise DomainError(
                IMPORT_NOT_PREVIEWED.format(status=data_import.get_status_display().lower()),
                code="not_previewed",
            )
        content = data_import.file_content()
        mapping = _mapping(data_import.mapping)
        reference = intake_reference(release)  # read once: for the check and for the writes
        assessment = file_assess(
            content=content, mapping=mapping, release=release, reference=reference
        )
        counts = _counts(assessment)
        if counts["errors"]:
            problems = ngettext(
                # English keeps “problem(s)” whatever the count
                "The file has {count} problem(s); fix them and import it again.",
                "The file has {count} problem(s); fix them and import it again.",
                counts["errors"],
            )
            raise DomainError(problems.format(count=counts["errors"]), code="invalid_file")
        before = {k: getattr(data_import, k) for k in counts}
        if before != counts or data_import.report.get("basis") != assessment.report.basis:
            raise DomainError(
                IMPORT_STALE.format(before=_words(before), after=_words(counts)), code="stale"
            )
        _write(data_import, content, mapping, reference, assessment, progress)
        data_import.status = ImportStatus.APPLIED
        data_import.applied_at = timezone.now()
        data_import.save(update_fields=["status", "applied_at"])
        release_editor_add(release, user)
        release_event(
            release,
            ReleaseAction.IMPORTED,
            user,
            f"{data_import.filename}: {_words(counts)}",
        )
    return data_import


def _words(counts: dict) -> str:
    return gettext(
        "{added} added, {changed} changed, {unchanged} unchanged, {flagged} flagged"
    ).format(**counts)


WRITTEN = ("value", "source_url", "note", "provenance", "flag")


def _write(data_import, content, mapping, reference, assessment, progress) -> None:
    """Batches of plain rows straight to the database: new rows inserted, changed rows
    updated in place (no model instance per row: at 500,000 rows that is most of the time)."""
    existing = reference.existing
    table = Observation._meta.db_table
    provenance = f"import #{data_import.pk}: {data_import.filename}"[:240]
    release = data_import.release_id
    adds: list[tuple] = []
    updates: list[tuple] = []
    written = 0
    for record, action, flag in records(content, mapping, reference, assessment):
        if action not in (ADD, CHANGE):
            continue
        values = (
            record.value,
            record.source_url,
            record.note,
            f"{provenance} {record.where}"[:300],
            flag[:300],
        )
        if action == CHANGE:
            pk = int(existing.pks[existing.keys.searchsorted(record.key)])
            updates.append((*values, pk))
        else:
            where = (release, record.country.id, record.indicator.id, record.year)
            adds.append((*where, *values))
        if len(adds) >= WRITE_BATCH:
            rows_insert(table, ("release_id", "country_id", "indicator_id", "year", *WRITTEN), adds)
            written += len(adds)
            adds = []
            if progress is not None:
                progress(written)
        if len(updates) >= WRITE_BATCH:
            rows_update(table, WRITTEN, updates)
            updates = []
    if adds:
        rows_insert(table, ("release_id", "country_id", "indicator_id", "year", *WRITTEN), adds)
    if updates:
        rows_update(table, WRITTEN, updates)


@transaction.atomic
def data_import_cancel(*, data_import: DataImport, user=None) -> DataImport:
    data_import = DataImport.objects.select_for_update().get(pk=data_import.pk)
    if data_import.status != ImportStatus.PREVIEWED:
        raise DomainError(
            IMPORT_NOT_PREVIEWED.format(status=data_import.get_status_display().lower()),
            code="not_previewed",
        )
    data_import.status = ImportStatus.CANCELLED
    data_import.save(update_fields=["status"])
    return data_import


def observations_import(
    *,
    release: DataRelease,
    content: bytes,
    filename: str,
    mapping: dict | None = None,
    user=None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[dict, DataImport | None]:
    """Preview and, unless `dry_run` or the file has errors, apply in one step (the command
    and the API): (report, the applied import or None). A dry run or a file with errors
    stores nothing at all."""
    release_require_draft(release)
    if dry_run:
        assessment = file_assess(
            content=content, mapping=mapping, release=release, progress=progress
        )
        return assessment.report.to_dict(), None
    with transaction.atomic():
        data_import = data_import_preview(
            release=release,
            content=content,
            filename=filename,
            mapping=mapping,
            user=user,
            progress=progress,
        )
        if data_import.errors:
            transaction.set_rollback(True)
            return data_import.report, None
        return data_import.report, data_import_apply(data_import=data_import, user=user)


def release_for_import(*, slug: str, name: str = "", user=None) -> DataRelease:
    """The draft release `slug`, created when `name` is given and it does not exist yet."""
    release = DataRelease.objects.filter(slug=slug).first()
    if release is None:
        if not name:
            raise DomainError(
                gettext(
                    "No data release “{slug}”; give a name to create it as a new draft."
                ).format(slug=slug),
                code="not_found",
            )
        return data_release_create(
            slug=slug, name=name, release_date=timezone.localdate(), user=user
        )
    return release


def import_mapping_save(*, name: str, mapping: dict) -> ImportMapping:
    """Save how a source's files read under `name` (replacing an earlier mapping of it)."""
    checked = _mapping(mapping)
    fields = {
        "layout": checked.layout,
        "country_column": checked.country_column,
        "indicator_column": checked.indicator_column,
        "indicator": checked.indicator,
        "indicator_codes": dict(checked.indicator_codes),
        "source_column": checked.source_column,
        "source": checked.source,
    }
    saved, _ = ImportMapping.objects.update_or_create(name=name.strip(), defaults=fields)
    return saved
