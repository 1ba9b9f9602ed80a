"""Loading the shipped data releases from cited CSV files: countries/data/demo/ (the November
2026 demo release) and countries/data/world-2026/ (AIMAI world data 2026, which follows it).

Each release directory holds a manifest, release.toml, and the files it names. The load is all
or nothing: every row is checked first and any problem is reported with its
file and line number before anything is written. Loading the same files twice changes nothing.
"""

import csv
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import translation
from simple_history.utils import bulk_create_with_history

from aimai_site.errors import DomainError
from countries.choices import Dimension, Direction, IncomeGroup
from countries.imports import intake_reference
from countries.index.digest import observations_digest
from countries.intake import FileRefused, Mapping, Reference, check, records
from countries.intake.rules import LONG, split_source
from countries.models import Country, DataRelease, Indicator, Observation
from countries.reference import countries_sync
from countries.services import data_release_publish

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_DIR = DATA_DIR / "demo"
WORLD_DIR = DATA_DIR / "world-2026"
MANIFEST = "release.toml"
COLUMNS = ["iso3", "country", "value", "year", "source"]
INDICATOR_FIELDS = [
    "name",
    "dimension",
    "direction",
    "unit",
    "description",
    "caveats",
    "source_organisation",
    "source_url",
    "copy_url",
    "licence",
]
# may be left out of the manifest: an indicator read from its publisher has no copy URL
OPTIONAL_FIELDS = {"caveats", "copy_url"}
# what values are plausible: optional in the manifest (see Indicator)
PLAUSIBILITY_FIELDS = ["minimum", "maximum", "log_scale", "max_change"]
# set on an existing indicator from the manifest only while the indicator has none
FILLED_WHEN_BLANK = ["copy_url"]
RELEASE_CHANGED = (
    "Release “{slug}” is already published with different content (digest {old}, files give "
    "{new}). A published release never changes: give the corrected data a new release slug."
)
RELEASE_IS_DRAFT = "A draft release “{slug}” already exists; publish or delete it first."


class DataLoadError(DomainError):
    """The files have problems; nothing was written. `errors` lists them, one per line."""

    code = "invalid_data"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) found; nothing was loaded.")
        self.errors = errors


@dataclass
class LoadReport:
    release: DataRelease
    created: bool
    observations: int
    countries_changed: int = 0
    indicators_changed: int = 0
    income_groups_changed: int = 0
    per_indicator: dict[str, int] = field(default_factory=dict)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.created
            or self.countries_changed
            or self.indicators_changed
            or self.income_groups_changed
        )


@dataclass(frozen=True)
class ParsedObservation:
    indicator: str
    country: str
    year: int
    value: float
    source_url: str
    note: str
    provenance: str

    def public_row(self) -> dict:
        return {
            "indicator": self.indicator,
            "country": self.country,
            "year": self.year,
            "value": self.value,
            "source_url": self.source_url,
            "note": self.note,
        }


def _read_rows(path: Path, errors: list[str]) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        errors.append(f"{path.name}: file not found")
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            errors.append(
                f"{path.name} line 1: expected columns {COLUMNS}, found {reader.fieldnames}"
            )
            return []
        # Line numbers count the header as line 1, as a spreadsheet shows them.
        return [(number, row) for number, row in enumerate(reader, start=2)]


def _parse_observations(
    path: Path, code: str, reference: Reference, errors: list[str], origin: str
) -> list[ParsedObservation]:
    """One indicator's file, through the same rules as every import."""
    if not path.exists():
        errors.append(f"{path.name}: file not found")
        return []
    content = path.read_bytes()
    mapping = Mapping(layout=LONG, country_column="iso3", indicator=code)
    try:
        assessment = check(content, mapping, reference)
    except FileRefused as exc:
        errors.append(f"{path.name}: {exc.message}")
        return []
    report = assessment.report
    if not report.ok:
        errors.extend(f"{path.name} row {p.row}: {p.message}" for p in report.errors)
        return []
    return [
        ParsedObservation(
            code,
            record.country.iso3,
            record.year,
            record.value,
            record.source_url,
            record.note,
            f"{origin}: {path.name} line {record.row}",
        )
        for record, _, _ in records(content, mapping, reference, assessment)
    ]


def _income_group_values() -> dict[str, str]:
    """Income groups by the English label the files give (the labels are translated)."""
    with translation.override("en"):
        return {str(label): value for value, label in IncomeGroup.choices}


def _parse_income_groups(path: Path, known: set[str], errors: list[str]) -> dict[str, dict]:
    groups = {}
    values = _income_group_values()
    for line, row in _read_rows(path, errors):
        where = f"{path.name} line {line}"
        iso3 = (row["iso3"] or "").strip()
        if iso3 not in known:
            errors.append(f"{where}: unknown country code {iso3!r}")
        elif row["value"] not in values:
            errors.append(f"{where}: unknown income group {row['value']!r}")
        else:
            groups[iso3] = {
                "income_group": values[row["value"]],
                "income_group_year": row["year"],
                "income_group_source": split_source(row["source"])[0],
            }
    return groups


def _check_indicator(spec: dict, errors: list[str]) -> dict:
    code = spec.get("code", "?")
    required = ["code", "file", *(k for k in INDICATOR_FIELDS if k not in OPTIONAL_FIELDS)]
    missing = [k for k in required if k not in spec]
    for bound in PLAUSIBILITY_FIELDS:
        if bound in spec and not isinstance(spec[bound], bool | int | float):
            errors.append(f"{MANIFEST} indicator {code}: {bound} must be a number")
    if missing:
        errors.append(f"{MANIFEST} indicator {code}: missing {', '.join(missing)}")
    if spec.get("dimension") not in Dimension.values:
        errors.append(f"{MANIFEST} indicator {code}: unknown dimension {spec.get('dimension')!r}")
    if spec.get("direction") not in Direction.values:
        errors.append(f"{MANIFEST} indicator {code}: unknown direction {spec.get('direction')!r}")
    fields = {k: spec.get(k, "") for k in INDICATOR_FIELDS}
    fields.update({k: spec[k] for k in PLAUSIBILITY_FIELDS if k in spec})
    return fields


def demo_data_load(*, directory: Path = DEMO_DIR) -> LoadReport:
    """Load (or confirm) the demo release described by `directory`/release.toml."""
    return release_load(directory, origin="demo data")


def world_data_load(*, directory: Path = WORLD_DIR) -> LoadReport:
    """Load (or confirm) AIMAI world data 2026, published after the demo release so that it
    is the current one. The demo release is loaded first when it is not there yet (loading it
    again changes nothing), so the world release follows it whatever was run before."""
    demo_data_load()
    return release_load(directory, origin="world data 2026")


def release_load(directory: Path, *, origin: str) -> LoadReport:
    """Load (or confirm) the release described by `directory`/release.toml; `origin` starts
    each observation's provenance ("<origin>: <file> line <n>", a record kept in English).

    1. Make sure every reference country exists (a flushed database gets them back).
    2. Parse and check the manifest and every file; on any problem raise DataLoadError.
    3. If the release is already published with the same digest, stop: nothing changes.
    4. Otherwise create missing indicators, fill unknown income groups (editors' corrections
       are never overwritten), create the release and publish it.
    """
    with transaction.atomic():
        countries_changed = countries_sync(Country)
        manifest = tomllib.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        known = set(Country.objects.values_list("iso3", flat=True))
        errors: list[str] = []
        specs = manifest.get("indicators", [])
        indicators = {spec.get("code"): _check_indicator(spec, errors) for spec in specs}
        if errors:
            raise DataLoadError(errors)
        # created first so the rules know them; the transaction undoes it on any problem
        indicators_changed = _create_missing_indicators(indicators, manifest["release"]["slug"])
        reference = intake_reference(None)
        observations: list[ParsedObservation] = []
        for spec in specs:
            observations += _parse_observations(
                directory / spec.get("file", ""), spec.get("code"), reference, errors, origin
            )
        income_groups = _parse_income_groups(
            directory / manifest["income_groups"]["file"], known, errors
        )
        if errors:
            raise DataLoadError(errors)

        meta = manifest["release"]
        digest = observations_digest([o.public_row() for o in observations])
        existing = DataRelease.objects.filter(slug=meta["slug"]).first()
        if existing and not existing.is_published:
            raise DomainError(RELEASE_IS_DRAFT.format(slug=meta["slug"]), code="draft_exists")
        if existing and existing.content_digest != digest:
            raise DomainError(
                RELEASE_CHANGED.format(slug=meta["slug"], old=existing.content_digest, new=digest),
                code="published",
            )

        report = LoadReport(
            release=existing,
            created=existing is None,
            observations=len(observations),
            countries_changed=countries_changed,
            indicators_changed=indicators_changed,
            income_groups_changed=_fill_income_groups(income_groups),
        )
        for obs in observations:
            report.per_indicator[obs.indicator] = report.per_indicator.get(obs.indicator, 0) + 1
        if existing is None:
            report.release = _create_release(meta, observations)
        return report


def _create_missing_indicators(indicators: dict[str, dict], slug: str) -> int:
    """Create indicators the database lacks, and give existing ones the plausible range and
    copy URL the manifest states where they have none; never overwrite what editors have
    curated."""
    changed = 0
    existing = {i.code: i for i in Indicator.objects.filter(code__in=indicators)}
    for code, fields in indicators.items():
        indicator = existing.get(code)
        if indicator is None:
            Indicator(code=code, **fields).full_clean()
            Indicator.objects.create(code=code, **fields)
            changed += 1
            continue
        blank = [
            k
            for k in [*PLAUSIBILITY_FIELDS, *FILLED_WHEN_BLANK]
            if k in fields
            and getattr(indicator, k) in (None, False, "")
            and fields[k] not in (None, False, "")
        ]
        if blank:
            for k in blank:
                setattr(indicator, k, fields[k])
            indicator._change_reason = f"Plausible range or copy URL from the {slug} manifest"
            indicator.save(update_fields=blank)
            changed += 1
    return changed


def _fill_income_groups(groups: dict[str, dict]) -> int:
    """Set the income group of countries that have none yet; editors' values are kept."""
    changed = 0
    for country in Country.objects.filter(iso3__in=groups, income_group=""):
        fields = groups[country.iso3]
        for key, value in fields.items():
            setattr(country, key, value)
        country.save(update_fields=list(fields))
        changed += 1
    return changed


def _create_release(meta: dict, observations: list[ParsedObservation]) -> DataRelease:
    release_date = meta["release_date"]
    release = DataRelease.objects.create(
        slug=meta["slug"],
        name=meta["name"],
        description=meta.get("description", ""),
        release_date=release_date
        if isinstance(release_date, date)
        else date.fromisoformat(release_date),
    )
    country_ids = dict(Country.objects.values_list("iso3", "pk"))
    indicator_ids = dict(Indicator.objects.values_list("code", "pk"))
    bulk_create_with_history(
        [
            Observation(
                release=release,
                country_id=country_ids[o.country],
                indicator_id=indicator_ids[o.indicator],
                year=o.year,
                value=o.value,
                source_url=o.source_url,
                note=o.note,
                provenance=o.provenance,
            )
            for o in observations
        ],
        Observation,
        batch_size=500,
    )
    return data_release_publish(release=release)
