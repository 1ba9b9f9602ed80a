"""Writes of the index: methodology versions and score sets.

The engine (countries/index) computes; this module feeds it from the database and stores what
it returns. A score set is written in one transaction, scores included, so it exists whole or
not at all, and because "current" means "newest", it becomes current exactly when it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from operator import itemgetter
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.errors import DomainError
from countries.choices import ReleaseStatus
from countries.current import public_content_changed
from countries.engine_messages import localized_all
from countries.index import ENGINE_VERSION
from countries.index.bundle import (
    bundle_write,
    document_digest,
    inputs_digest,
    inputs_document,
    outputs_document,
    set_digest,
)
from countries.index.computed import COMPUTED_INDICATORS
from countries.index.digest import canonical_json, sha256_hex
from countries.index.engine import Observation as EngineObservation
from countries.index.engine import compute
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_load, methodology_parse
from countries.models import (
    Country,
    DataRelease,
    Indicator,
    Methodology,
    MethodologyVersion,
    Observation,
    Score,
    ScoreSet,
    ScoreSetRecurrence,
)
from countries.providers import providers
from countries.publication import Publication, index_recompute_after_commit, publication_record

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent / "methodologies"
# in publication order, by the data release each edition was made for: a new version of a
# shipped methodology is a new file after the last
SHIPPED_EDITIONS = {
    "demo-2026-11": ("aimai-default.yaml", "aimai-default-1.1.yaml", "aimai-bridgers.yaml"),
    "world-2026": ("aimai-default-2.0.yaml", "aimai-bridgers-2.0.yaml"),
}
SHIPPED = tuple(name for names in SHIPPED_EDITIONS.values() for name in names)
HEADLINE_SLUG = "aimai-default"

VERSION_ALREADY_PUBLISHED = _("Methodology {name} is already published; publish a new version.")
VERSION_EXISTS = _("Methodology {name} already exists with a different definition.")
VERSION_TAKEN = _("Methodology {name} already exists; give the new file another version.")
VERSION_SLUG_CHANGED = _("A draft keeps its methodology; save “{slug}” as a new version instead.")
UNKNOWN_INDICATORS = _("Methodology {name} uses indicators that do not exist: {codes}.")
BAD_RULES = _("Methodology {name} has rules that do not fit: {problems}.")
NOT_AIMAI_SHAPED = _(
    "Methodology {name} has the dimensions {names}; the platform publishes only indices with "
    "AIMAI's three (capability, solidarity, burden), the ones its scores store. The engine "
    "computes any index (see countries/methodologies/examples/)."
)


def code_version() -> str:
    try:
        package = version("aimai-platform")
    except PackageNotFoundError:  # running from a checkout that was never installed
        package = "unknown"
    return f"aimai-platform {package}, engine {ENGINE_VERSION}"


def methodology_digest(definition: dict) -> str:
    return sha256_hex(canonical_json(definition))


def methodology_version_save(
    *, source: str, changes: str = "", version: MethodologyVersion | None = None
) -> MethodologyVersion:
    """Check a methodology file and store it as a draft version: a new one (creating the
    methodology when its slug is new), or `version`, a draft being edited.

    Raises DomainError carrying every located problem of the file.
    """
    version = version or MethodologyVersion()
    if version.pk and version.status != ReleaseStatus.DRAFT:
        raise DomainError(VERSION_ALREADY_PUBLISHED.format(name=version), code="published")
    try:
        parsed = methodology_load(source)
    except MethodologyError as exc:
        raise DomainError(
            gettext("The methodology file is invalid: {errors}").format(
                errors="; ".join(localized_all(exc.errors))
            ),
            code="invalid",
        ) from exc
    with transaction.atomic():
        methodology, _ = Methodology.objects.get_or_create(
            slug=parsed.slug,
            defaults={"title": parsed.title, "description": parsed.description},
        )
        if version.pk and version.methodology_id != methodology.pk:
            raise DomainError(VERSION_SLUG_CHANGED.format(slug=parsed.slug), code="slug")
        taken = MethodologyVersion.objects.filter(methodology=methodology, version=parsed.version)
        if taken.exclude(pk=version.pk).exists():
            name = f"{parsed.slug} {parsed.version}"
            raise DomainError(VERSION_TAKEN.format(name=name), code="exists")
        version.methodology = methodology
        version.version = parsed.version
        version.source = source
        version.definition = parsed.raw
        version.digest = methodology_digest(parsed.raw)
        version.changes = changes or str(parsed.raw.get("changes", ""))
        version.full_clean()
        version.save()
    return version


def _known_indicators() -> set[str]:
    return set(Indicator.objects.values_list("code", flat=True)) | set(COMPUTED_INDICATORS)


def _rule_problems(parsed) -> list[str]:
    """A `rule:` belongs to a computed indicator that reads one, and such an indicator needs it."""
    problems = []
    for spec in parsed.indicators():
        source = COMPUTED_INDICATORS.get(spec.code)
        takes = source is not None and source.reads == "commitments"
        if spec.rule is not None and not takes:
            problems.append(gettext("{code} takes no rule").format(code=spec.code))
        elif takes and not (spec.rule or {}).get("kind_weights"):
            problems.append(gettext("{code} needs a rule with kind_weights").format(code=spec.code))
    return problems


@transaction.atomic
def methodology_version_publish(*, version: MethodologyVersion) -> MethodologyVersion:
    """Publish a draft version: it becomes immutable, and the index is recomputed after commit."""
    version = MethodologyVersion.objects.select_for_update().get(pk=version.pk)
    name = str(version)
    if version.status != ReleaseStatus.DRAFT:
        raise DomainError(VERSION_ALREADY_PUBLISHED.format(name=name), code="published")
    parsed = methodology_parse(version.definition)
    if not parsed.is_aimai_shaped:
        names = ", ".join(sorted(parsed.dimension_names))  # stored JSON keeps no key order
        raise DomainError(NOT_AIMAI_SHAPED.format(name=name, names=names), code="dimensions")
    needed = parsed.codes_needed()
    unknown = sorted(needed - _known_indicators())
    if unknown:
        raise DomainError(
            UNKNOWN_INDICATORS.format(name=name, codes=", ".join(unknown)), code="unknown"
        )
    rules = _rule_problems(parsed)
    if rules:
        raise DomainError(BAD_RULES.format(name=name, problems="; ".join(rules)), code="rule")
    version.status = ReleaseStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    publication_record(
        Publication(
            kind="methodology_version",
            identifier=f"{version.methodology.slug}@{version.version}",
            url=f"/methodology/{version.methodology.slug}/{version.version}.yaml",
            digest=version.digest,
        )
    )
    index_recompute_after_commit()
    return version


@transaction.atomic
def methodology_headline_set(*, methodology: Methodology) -> Methodology:
    """Make `methodology` the one the public sees first (it needs a published version)."""
    if not methodology.versions.published().exists():
        raise DomainError(
            gettext("Methodology {slug} has no published version yet.").format(
                slug=methodology.slug
            ),
            code="unpublished",
        )
    Methodology.objects.filter(is_headline=True).exclude(pk=methodology.pk).update(
        is_headline=False
    )
    Methodology.objects.filter(pk=methodology.pk).update(is_headline=True)
    public_content_changed()  # updates send no signal: the headline's pages change now
    methodology.refresh_from_db()
    return methodology


def shipped_methodologies_load(names: tuple[str, ...] = SHIPPED) -> list[MethodologyVersion]:
    """Store and publish the methodologies shipped in the repository (or the files `names`),
    once, in order.

    Running it again changes nothing. A shipped file whose slug and version exist with other
    content is refused: a published version never changes; ship a new version instead.
    """
    loaded = []
    for name in names:
        source = (SHIPPED_DIR / name).read_text(encoding="utf-8")
        parsed = methodology_load(source)
        existing = MethodologyVersion.objects.filter(
            methodology__slug=parsed.slug, version=parsed.version
        ).first()
        if existing is not None:
            if existing.digest != methodology_digest(parsed.raw):
                raise DomainError(
                    VERSION_EXISTS.format(name=f"{parsed.slug} {parsed.version}"), code="exists"
                )
            loaded.append(existing)
            continue
        with transaction.atomic():
            draft = methodology_version_save(source=source)
            loaded.append(methodology_version_publish(version=draft))
    if not Methodology.objects.filter(is_headline=True).exists():
        methodology_headline_set(methodology=Methodology.objects.get(slug=HEADLINE_SLUG))
    return loaded


def _imported_rows(release: DataRelease, codes) -> list[tuple[str, str, int, float]]:
    """(country, indicator, year, value) rows, as the engine reads them."""
    return list(
        Observation.objects.filter(release=release, indicator__code__in=codes)
        .order_by()
        .values_list("country__iso3", "indicator__code", "year", "value")
    )


def _commitment_rows() -> list:
    """The compacts registry's commitments, for the computed indicators drawn from it."""
    return providers.commitment_rows()


def score_inputs(
    *, version: MethodologyVersion, release: DataRelease
) -> tuple[list[tuple], dict[str, str], dict]:
    """The inputs of `version` on `release`: exactly the observation rows it uses, the
    scored countries' regions, and what the score set stores to rebuild them.

    Countries scored: those with at least one imported observation of an indicator the
    methodology uses. Computed indicators are added behind the same interface. The imported
    rows are not stored again with the score set: the release they come from is frozen, so
    the stored part is the methodology, the regions and the computed rows.
    """
    parsed = methodology_parse(version.definition)
    codes = parsed.codes_needed()
    computed = sorted(code for code in codes if code in COMPUTED_INDICATORS)
    imported = sorted(codes - set(computed))
    rows = _imported_rows(release, imported)
    scored = sorted(set(map(itemgetter(0), rows)))
    extra = []
    if computed:
        needs = {code for c in computed for code in COMPUTED_INDICATORS[c].inputs}
        sources = [row for row in rows if row[1] in needs]
        sources += _imported_rows(release, needs - set(imported))
        # the year scored, as the engine reads it: dates rows drawn from outside the data
        specs = {spec.code: spec for spec in parsed.indicators()}
        year = parsed.reference_year or max(
            (row[2] for row in rows if row[1] in specs), default=None
        )
        for code in computed:
            source = COMPUTED_INDICATORS[code]
            found = _commitment_rows() if source.reads == "commitments" else sources
            extra += source.observations(found, scored, year=year, rule=specs[code].rule)
    rows += extra
    regions = dict(
        Country.objects.filter(iso3__in=scored).values_list("iso3", "region").order_by("iso3")
    )
    stored = {
        "methodology": version.definition,
        "regions": regions,
        "imported": imported,
        "computed": [list(row) for row in extra],
    }
    return rows, regions, stored


def score_set_inputs(score_set: ScoreSet) -> dict:
    """The full inputs document of a stored score set, rebuilt from its frozen release and its
    stored part, and checked against its inputs digest."""
    stored = score_set.inputs
    rows = _imported_rows(score_set.release, stored["imported"])
    rows += [EngineObservation(*row) for row in stored["computed"]]
    inputs = inputs_document(stored["methodology"], rows, stored["regions"])
    if document_digest(inputs) != score_set.inputs_digest:
        raise DomainError(
            gettext("The inputs of score set {digest} no longer match its digest.").format(
                digest=score_set.digest
            ),
            code="inputs_changed",
        )
    return inputs


Progress = Callable[[str], None]


def score_set_compute(
    *,
    version: MethodologyVersion,
    release: DataRelease,
    progress: Progress | None = None,
    backcast: bool = False,
) -> tuple[ScoreSet, bool]:
    """Compute `version` on `release` and store the score set, unless identical inputs exist.

    A set computed on a release that is no longer the current one reads an earlier release
    with today's method: it is a back-cast (countries/backcast.py), stored, logged and
    published like any other, but never current. `backcast=True` says so explicitly.

    Returns (score set, created). Idempotent: the inputs digest is unique, so the same inputs
    never produce a second score set, even when two workers race (the loser's insert fails
    and it returns the winner's set).
    """
    step = progress or (lambda message: None)
    if version.status != ReleaseStatus.PUBLISHED or release.status != ReleaseStatus.PUBLISHED:
        raise DomainError(
            gettext("Only published methodologies and releases are scored."), code="draft"
        )
    backcast = backcast or release.pk != getattr(DataRelease.objects.current(), "pk", None)
    step("reading observations")
    observations, regions, stored = score_inputs(version=version, release=release)
    of_inputs = inputs_digest(version.definition, observations, regions)
    existing = ScoreSet.objects.filter(inputs_digest=of_inputs).first()
    if existing is not None:
        if not backcast:
            _current_again(existing)
        return existing, False
    step("computing scores and sensitivity")
    result = compute(methodology_parse(version.definition), observations, regions, regions)
    outputs = outputs_document(result)
    outputs_json = canonical_json(outputs)  # encoded once: hashed, stored and bundled as is
    of_outputs = sha256_hex(outputs_json)
    digest = set_digest(of_inputs, of_outputs)
    step("writing the score set")
    countries = dict(Country.objects.filter(iso3__in=regions).values_list("iso3", "pk"))
    try:
        with transaction.atomic():
            score_set = ScoreSet.objects.create(
                methodology_version=version,
                release=release,
                digest=digest,
                inputs_digest=of_inputs,
                outputs_digest=of_outputs,
                reference_year=outputs["reference_year"],
                code_version=code_version(),
                inputs=stored,
                outputs_json=outputs_json.decode("utf-8"),
                created_at=timezone.now(),
                backcast=backcast,
            )
            Score.objects.bulk_create(_score_rows(score_set, outputs, countries), batch_size=500)
            _score_set_announce(score_set)
    except IntegrityError:
        # Another worker stored the same inputs first: that score set is the answer.
        existing = ScoreSet.objects.filter(inputs_digest=of_inputs).first()
        if existing is None:
            raise
        return existing, False
    logger.info("score set %s stored for %s on %s", score_set.digest, version, release.slug)
    return score_set, True


def _current_again(score_set: ScoreSet) -> None:
    """Inputs that came back (an ended compact, a reverted correction) make their existing set
    current again, in the log too; a set that is already current stays as it is."""
    methodology = score_set.methodology_version.methodology
    with transaction.atomic():
        Methodology.objects.select_for_update().filter(pk=methodology.pk).first()
        current = ScoreSet.objects.for_methodology(methodology.slug).current()
        if current is None or current.pk == score_set.pk:
            return
        if current.release_id != score_set.release_id:
            return  # an older release scored again never takes over
        ScoreSetRecurrence.objects.create(score_set=score_set, at=timezone.now())
        _score_set_announce(score_set)


def _score_set_announce(score_set: ScoreSet) -> None:
    """A score set becomes current: the registry logs it (in this transaction), and readers
    of what is current read it again."""
    public_content_changed()
    publication_record(
        Publication(
            kind="score_set",
            identifier=score_set.digest,
            url=f"/api/v1/score-sets/{score_set.digest}/",
            digest=score_set.digest,
        )
    )


def _score_rows(score_set: ScoreSet, outputs: dict, countries: dict[str, int]) -> list[Score]:
    contributions = outputs["contributions"]
    rows = []
    for s in outputs["scores"]:
        interval = s["rank_interval"] or (None, None)
        rows.append(
            Score(
                score_set=score_set,
                country_id=countries[s["country"]],
                capability=s["capability"],
                solidarity=s["solidarity"],
                burden=s["burden"],
                aimai=s["aimai"],
                aimai_without_imputation=s["aimai_without_imputation"],
                rank=s["rank"],
                rank_low=interval[0],
                rank_median=s["median_rank"],
                rank_high=interval[1],
                classification=s["classification"],
                concentrated=s["concentrated"],
                coverage=s["coverage"],
                observed_weight=s["observed_weight"],
                median_age=s["median_age"],
                confidence=s["confidence"],
                imputed=s["imputed"],
                provenance=s["provenance"],
                values=s["values"],
                normalised=s["normalised"],
                contributions=contributions.get(s["country"], {}),
            )
        )
    return rows


def index_recompute(
    *, slug: str | None = None, release: DataRelease | None = None, progress=None
) -> list[tuple[ScoreSet, bool]]:
    """Score the current data release (or `release`) with the latest published version of every
    methodology (or of `slug`). Unchanged inputs do nothing."""
    release = release or DataRelease.objects.current()
    if release is None:
        return []
    methodologies = Methodology.objects.with_published_versions()
    if slug:
        methodologies = methodologies.filter(slug=slug)
        if not methodologies.exists():
            raise DomainError(
                gettext("No published methodology “{slug}”.").format(slug=slug), code="not_found"
            )
    done, failed = [], []
    for methodology in methodologies.order_by("slug"):
        version = methodology.versions.current()
        try:
            done.append(score_set_compute(version=version, release=release, progress=progress))
        except Exception as exc:  # one broken methodology must not stop the others
            logger.exception("scoring %s on %s failed", version, release.slug)
            failed.append(f"{version}: {exc}")
    if failed:
        raise DomainError(
            gettext("Scoring failed for {failures}").format(failures="; ".join(failed)),
            code="scoring_failed",
        )
    return done


def score_set_bundle(score_set: ScoreSet) -> bytes:
    version = score_set.methodology_version
    manifest = {
        "methodology": {
            "slug": version.methodology.slug,
            "version": version.version,
            "digest": version.digest,
        },
        "release": {"slug": score_set.release.slug, "digest": score_set.release.content_digest},
        "score_set": {
            "digest": score_set.digest,
            "inputs_digest": score_set.inputs_digest,
            "outputs_digest": score_set.outputs_digest,
            "created_at": score_set.created_at.isoformat(),
            "backcast": score_set.backcast,
        },
        "code_version": score_set.code_version,
    }
    return bundle_write(
        manifest=manifest,
        source=version.source,
        inputs=score_set_inputs(score_set),
        outputs=score_set.outputs_json.encode("utf-8"),
    )
