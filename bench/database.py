"""A full recompute through the database, against the floor of its unavoidable reads and writes.

Runs in a throwaway database that is created here and dropped afterwards: score sets are
append-only (triggers reject UPDATE and DELETE), so no bench run can clean up after itself in a
shared one. With no DATABASE_URL that is a temporary SQLite file; with one (e.g. PostgreSQL) it
is a new database on that server, as the test runner makes.

Each timed recompute uses its own published methodology version, so the inputs digest is new
and the score set is really computed and written, never found already stored.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

SCORE_FIELDS = (
    "country_id",
    "capability",
    "solidarity",
    "burden",
    "aimai",
    "aimai_without_imputation",
    "rank",
    "rank_low",
    "rank_median",
    "rank_high",
    "classification",
    "concentrated",
    "coverage",
    "observed_weight",
    "median_age",
    "confidence",
    "imputed",
    "provenance",
    "values",
    "normalised",
    "contributions",
)


BENCH_URL = "https://example.org/bench"
OBSERVATION_COLUMNS = (
    "release_id",
    "country_id",
    "indicator_id",
    "year",
    "value",
    "source_url",
    "note",
    "provenance",
)


@dataclass(frozen=True)
class DatabaseFigures:
    vendor: str  # "sqlite", "postgresql", ...
    observations: int
    scores: int
    setup: float  # seconds to create, fill and publish the world (not part of the figures)
    recompute: float  # best score_set_compute()
    floor: float  # best values_list read + Score bulk_create
    phases: list[tuple[str, float]]  # (step, seconds) of the best recompute


def django_setup(scratch: str) -> None:
    """Configure Django for an in-process run.

    Must run before anything imports the settings: REDIS_URL is dropped so that the task
    publishing queues runs in this process (and no broker is needed), and without a
    DATABASE_URL the connection points into `scratch`, never at db.sqlite3.
    """
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # keep the table readable; task logs are noise
    # as in production: with DEBUG on, Django also keeps every query and, on SQLite, quotes
    # each parameter again (the score set's inputs are tens of megabytes of JSON)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aimai_site.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/main.sqlite3"
    import django

    django.setup()


@contextmanager
def throwaway_database(scratch: str):
    """Create and migrate a database of its own for the bench; drop it on the way out.

    SQLite: a file in `scratch`; other backends: a new database on the same server.
    """
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        name = os.path.join(scratch, "bench.sqlite3")
    else:
        name = f"aimai_bench_{os.getpid()}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _rows_insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows straight through the driver: building half a million model instances
    would make the setup, which is not measured, the slowest part of the bench."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608  # nosec B608


def _world_store(world):
    """The world's indicators and a draft release holding its observations."""
    from countries.models import Country, DataRelease, Indicator, Observation

    dimension_of = {code: name for name, codes in world.dimensions.items() for code in codes}
    indicators = Indicator.objects.bulk_create(
        Indicator(
            code=code,
            name=f"Benchmark indicator {code}",
            dimension=dimension_of[code],
            direction=world.directions[code],
            unit="units",
            description="Synthetic values for the benchmark.",
            source_organisation="AI4NATIONS benchmark",
            source_url=BENCH_URL,
            licence="CC0-1.0",
        )
        for code in world.codes
    )
    release = DataRelease.objects.create(
        slug="bench", name="Benchmark world", release_date=date(2026, 1, 1)
    )
    country_pk = dict(Country.objects.values_list("iso3", "pk"))
    country_ids = [country_pk[c] for c in world.countries]
    indicator_ids = [i.pk for i in indicators]
    rows = [
        (release.pk, country_ids[c], indicator_ids[k], y, v, BENCH_URL, "", "benchmark")
        for c, k, y, v in zip(
            world.country.tolist(),
            world.indicator.tolist(),
            world.year.tolist(),
            world.value.tolist(),
            strict=True,
        )
    ]
    rows.sort(key=itemgetter(1, 2, 3))  # in index order: random inserts thrash the page cache
    _rows_insert(Observation, OBSERVATION_COLUMNS, rows)
    return release


def _versions_publish(world, count: int) -> list:
    """`count` published versions of one methodology, identical but for their version label."""
    from countries import scoring

    # named methodology_version_create before drafts became editable
    save = getattr(scoring, "methodology_version_save", None) or scoring.methodology_version_create
    versions = []
    for n in range(count):
        draft = save(source=json.dumps(world.definition(version=f"1.{n}"), indent=2))
        versions.append(scoring.methodology_version_publish(version=draft))
    return versions


def _floor(release, codes: list[str], version_id: int, scores: list[dict]) -> float:
    """Seconds to read the observation rows and write the Score rows (in a transaction rolled
    back afterwards): what any recompute has to do at least."""
    from django.db import transaction
    from django.utils import timezone

    from countries.models import Observation, Score, ScoreSet

    with transaction.atomic():
        start = time.perf_counter()
        rows = list(
            Observation.objects.filter(release=release, indicator__code__in=codes).values_list(
                "country__iso3", "indicator__code", "year", "value"
            )
        )
        score_set = ScoreSet.objects.create(
            methodology_version_id=version_id,
            release=release,
            digest="0" * 64,
            inputs_digest="0" * 64,
            outputs_digest="0" * 64,
            reference_year=0,
            code_version="bench",
            inputs={},
            outputs_json="{}",
            created_at=timezone.now(),
        )
        Score.objects.bulk_create(
            [Score(score_set=score_set, **fields) for fields in scores], batch_size=500
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    if not rows:
        raise RuntimeError("the floor read no observation rows")
    return elapsed


class _Phases:
    """Wall-clock time of each step score_set_compute() reports through `progress`."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, message: str) -> None:
        self.marks.append((message, time.perf_counter()))

    def durations(self, end: float) -> list[tuple[str, float]]:
        ends = [t for _, t in self.marks[1:]] + [end]
        return [(name, stop - t) for (name, t), stop in zip(self.marks, ends, strict=True)]


def database_bench(world_make, repeat: int = 3) -> DatabaseFigures:
    """Set up the world in a throwaway database and time recomputes against the floor."""
    scratch = tempfile.mkdtemp(prefix="aimai-bench-")
    try:
        django_setup(scratch)
        with throwaway_database(scratch) as vendor:
            return _bench(world_make, repeat, vendor)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _bench(world_make, repeat: int, vendor: str) -> DatabaseFigures:
    from countries.models import Country, Score, ScoreSet
    from countries.scoring import score_set_compute
    from countries.services import data_release_publish

    started = time.perf_counter()
    world = world_make(sorted(Country.objects.values_list("iso3", flat=True)))
    release = _world_store(world)
    # Versions first, while no release is published: publishing each queues a recompute that
    # then has nothing to score. Publishing the release then scores the newest version (a
    # warm-up, untimed) and leaves the older ones to be timed, one fresh version per run.
    versions = _versions_publish(world, repeat + 1)
    release = data_release_publish(release=release)
    warm = ScoreSet.objects.filter(methodology_version=versions[-1]).first()
    if warm is None:
        raise RuntimeError("publishing the release scored nothing in-process; is REDIS_URL set?")
    scores = list(Score.objects.filter(score_set=warm).values(*SCORE_FIELDS))
    setup = time.perf_counter() - started

    floors, runs = [], []
    for version in versions[:-1]:
        floors.append(_floor(release, world.codes, version.pk, scores))
        phases = _Phases()
        start = time.perf_counter()
        _, created = score_set_compute(version=version, release=release, progress=phases)
        end = time.perf_counter()
        if not created:
            raise RuntimeError(f"{version} found a stored score set instead of computing one")
        runs.append((end - start, phases.durations(end)))
    recompute, phases = min(runs, key=lambda run: run[0])
    return DatabaseFigures(
        vendor=vendor,
        observations=len(world.year),
        scores=len(scores),
        setup=setup,
        recompute=recompute,
        floor=min(floors),
        phases=phases,
    )
