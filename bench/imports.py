"""(f) A long CSV of 500,000 observations through the real import: preview, apply, re-import.

In a throwaway database of its own (bench/database.py): 100 synthetic indicators
(bench_ind_000 ... bench_ind_099, minimum 0, some on a log scale, some with a maximum change)
next to the real countries, and a CSV (iso3,indicator,year,value,source) of every country x
indicator x year 2006-2025, streamed to a temporary file. Then, through countries/imports.py:

- `data_import_preview()` into a new draft, then `data_import_apply()`: together against a
  goal of 60 s; the baseline is the floor of the same work, the same bytes read with
  csv.reader and the same rows written with Observation.objects.bulk_create and committed, so
  the ratio says what the checks cost;
- the same file previewed again into the same draft (every row unchanged);
- peak memory of a preview at 100,000 and at 500,000 rows, each in a fresh process: the peak
  resident size (VmHWM, reset once the process is warm) less the size before the file is
  read; the file itself is held in memory as the upload, so the growth less the file's size
  is printed too.

`python -m bench.run imports` (or `python -m bench.imports`) runs this part alone.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

N_INDICATORS = 100
FIRST_YEAR, N_YEARS = 2006, 20
MEMORY_ROWS = (100_000, 500_000)
GOAL = 60.0  # seconds for preview + apply of the whole file
SEED = 20260102
DIMENSIONS = ("capability", "solidarity", "burden")
HEADER = ("iso3", "indicator", "year", "value", "source")


@dataclass(frozen=True)
class ImportFigures:
    vendor: str
    rows: int
    file_bytes: int
    generate: float  # seconds to write the CSV (not timed)
    preview: float
    apply: float
    baseline: float  # csv.reader + bulk_create of the same rows
    reimport: float  # preview of the same file into the same draft, all rows unchanged
    flagged: int
    memory: dict  # rows -> {"growth": bytes, "file": bytes}
    setup: float

    @property
    def total(self) -> float:
        return self.preview + self.apply


# --- the data ----------------------------------------------------------------------------


def indicators_create() -> list:
    """100 synthetic indicators, of three kinds: counts on a log scale (every fourth),
    percentages bounded by 100, and unbounded positive ratios; every third may change by
    at most half from one year to the next before it is flagged."""
    from countries.models import Indicator

    made = []
    for k in range(N_INDICATORS):
        kind = ("count", "percent", "ratio", "ratio")[k % 4]
        made.append(
            Indicator(
                code=f"bench_ind_{k:03d}",
                name=f"Benchmark indicator {k:03d}",
                dimension=DIMENSIONS[k % 3],
                direction="higher_is_more",
                unit={"count": "persons", "percent": "%", "ratio": "per 1,000"}[kind],
                description="Synthetic values for the import benchmark.",
                source_organisation="AI4NATIONS benchmark",
                source_url=source_of(k),
                licence="CC0-1.0",
                minimum=0.0,
                maximum=100.0 if kind == "percent" else None,
                log_scale=kind == "count",
                max_change=0.5 if k % 3 == 0 else None,
            )
        )
    return Indicator.objects.bulk_create(made)


def source_of(k: int) -> str:
    return f"https://data.example.org/bench/indicators/bench_ind_{k:03d}.csv"


def _series(rng: np.random.Generator, n_countries: int) -> np.ndarray:
    """values[country, indicator, year]: a level per country and indicator, a gentle trend
    and a little noise; counts span orders of magnitude, percentages stay inside 0-100."""
    years = np.arange(N_YEARS)
    shape = (n_countries, N_INDICATORS, 1)
    level = rng.normal(0.0, 1.0, shape)
    trend = rng.normal(0.01, 0.02, shape)
    noise = rng.normal(0.0, 0.02, (n_countries, N_INDICATORS, N_YEARS))
    kind = np.arange(N_INDICATORS)[None, :, None] % 4
    log_count = 2.0 + 5.0 + 1.5 * level + trend * years + noise  # 10^2 .. 10^9 persons
    percent = 100.0 / (1.0 + np.exp(-(level + 10 * trend * years / N_YEARS + noise)))
    ratio = 50.0 * np.exp(0.6 * level + trend * years + noise)
    return np.where(kind == 0, 10.0**log_count, np.where(kind == 1, percent, ratio))


def csv_write(path: Path, countries: list[str], rows: int | None = None) -> int:
    """The long CSV, country by country, to `path`; stops after `rows` data rows when given.
    Streamed: one country's 2,000 rows at a time. Returns the number of data rows."""
    rng = np.random.default_rng(SEED)
    values = _series(rng, len(countries))
    codes = [f"bench_ind_{k:03d}" for k in range(N_INDICATORS)]
    sources = [source_of(k) for k in range(N_INDICATORS)]
    years = [str(FIRST_YEAR + y) for y in range(N_YEARS)]
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for c, iso3 in enumerate(countries):
            block = [
                (iso3, codes[k], years[y], f"{v:.6g}", sources[k])
                for k, row in enumerate(values[c].tolist())
                for y, v in enumerate(row)
            ]
            if rows is not None:
                block = block[: rows - written]
            writer.writerows(block)
            written += len(block)
            if rows is not None and written >= rows:
                break
    return written


# --- the baseline ------------------------------------------------------------------------


def baseline_time(content: bytes) -> float:
    """Seconds to read `content` with csv.reader and bulk_create the same Observation rows
    into a draft of their own, committed (PostgreSQL checks its deferred foreign keys at the
    commit): the floor of any import. The rows are deleted afterwards, untimed."""
    from django.db import connection, transaction

    from countries.imports import WRITE_BATCH
    from countries.models import Country, DataRelease, Indicator, Observation

    country_pk = dict(Country.objects.values_list("iso3", "pk"))
    indicator_pk = dict(Indicator.objects.values_list("code", "pk"))
    release = DataRelease.objects.create(
        slug="bench-import-baseline", name="Baseline", release_date=date(2026, 1, 1)
    )
    start = time.perf_counter()
    with transaction.atomic():
        text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8", newline="")
        reader = csv.reader(text)
        next(reader)
        batch = []
        for number, (iso3, code, year, value, source) in enumerate(reader, start=2):
            batch.append(
                Observation(
                    release_id=release.pk,
                    country_id=country_pk[iso3],
                    indicator_id=indicator_pk[code],
                    year=int(year),
                    value=float(value),
                    source_url=source,
                    note="",
                    provenance=f"baseline row {number}",
                )
            )
            if len(batch) >= WRITE_BATCH:
                Observation.objects.bulk_create(batch)
                batch = []
        if batch:
            Observation.objects.bulk_create(batch)
    elapsed = time.perf_counter() - start
    table = connection.ops.quote_name(Observation._meta.db_table)
    with connection.cursor() as cursor:  # a draft's rows may go; the ORM would load each one
        cursor.execute(f"DELETE FROM {table} WHERE release_id = %s", [release.pk])  # noqa: S608  # nosec B608
    return elapsed


# --- peak memory, in a fresh process -----------------------------------------------------


def _status(field: str) -> int:
    """A size from /proc/self/status, in bytes: VmRSS (now) or VmHWM (the peak)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _peak_reset() -> bool:
    """Start the peak (VmHWM) afresh from the current size; False where Linux does not allow
    it, and ru_maxrss (the peak since the process started) is used instead."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _memory_child(path: str, database: str) -> None:
    """In a fresh process: preview `path` into a new draft; print the peak growth as JSON."""
    scratch = tempfile.mkdtemp(prefix="aimai-bench-memory-")
    try:
        from bench.database import django_setup

        django_setup(scratch)
        from django.db import connection

        connection.settings_dict["NAME"] = database
        from countries.imports import data_import_preview
        from countries.services import data_release_create

        release = data_release_create(
            slug=f"bench-memory-{os.getpid()}", name="Memory", release_date=date(2026, 1, 1)
        )
        warm = "\n".join([",".join(HEADER), f"ARG,bench_ind_001,2020,50,{source_of(1)}"])
        data_import_preview(release=release, content=warm.encode(), filename="warm.csv")
        gc.collect()
        reset = _peak_reset()
        before = _status("VmRSS")
        content = Path(path).read_bytes()
        imported = data_import_preview(release=release, content=content, filename="bench.csv")
        if reset:
            peak = _status("VmHWM")
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(
            json.dumps({"rows": imported.added, "errors": imported.errors, "growth": peak - before})
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def memory_peak(path: Path, database: str) -> dict:
    """Peak memory growth of one preview of `path`, measured in a fresh process."""
    done = subprocess.run(  # noqa: S603 (this interpreter, this module, our own paths)
        [sys.executable, "-m", "bench.imports", "memory", str(path), database],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode:
        raise RuntimeError(f"the memory run failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"the memory run found {result['errors']} errors in {path.name}")
    result["file"] = path.stat().st_size
    return result


# --- the bench ---------------------------------------------------------------------------


def import_bench() -> ImportFigures:
    from bench.database import django_setup, throwaway_database

    scratch = tempfile.mkdtemp(prefix="aimai-bench-")
    try:
        django_setup(scratch)
        with throwaway_database(scratch) as vendor:
            return _bench(Path(scratch), vendor)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _bench(scratch: Path, vendor: str) -> ImportFigures:
    from django.db import connection

    from countries.imports import data_import_apply, data_import_preview
    from countries.models import Country, Observation
    from countries.services import data_release_create

    started = time.perf_counter()
    countries = sorted(Country.objects.values_list("iso3", flat=True))
    indicators_create()
    path = scratch / "observations.csv"
    rows = csv_write(path, countries)
    generate = time.perf_counter() - started
    content = path.read_bytes()
    setup = time.perf_counter() - started

    baseline = baseline_time(content)

    release = data_release_create(
        slug="bench-import", name="Import benchmark", release_date=date(2026, 1, 1)
    )
    start = time.perf_counter()
    previewed = data_import_preview(release=release, content=content, filename=path.name)
    preview = time.perf_counter() - start
    if previewed.errors or previewed.added != rows:
        raise RuntimeError(
            f"the preview found {previewed.errors} errors and {previewed.added:,} rows to add "
            f"(expected none and {rows:,}): {previewed.report.get('errors', [])[:3]}"
        )
    start = time.perf_counter()
    data_import_apply(data_import=previewed)
    apply = time.perf_counter() - start
    stored = Observation.objects.filter(release=release).count()
    if stored != rows:
        raise RuntimeError(f"applying stored {stored:,} rows, not {rows:,}")

    start = time.perf_counter()
    again = data_import_preview(release=release, content=content, filename=path.name)
    reimport = time.perf_counter() - start
    if again.unchanged != rows or again.added or again.changed:
        raise RuntimeError(
            f"the re-import found {again.added} to add and {again.changed} to change, "
            f"{again.unchanged:,} unchanged of {rows:,}"
        )
    del content

    database = connection.settings_dict["NAME"]
    memory = {}
    for size in MEMORY_ROWS:
        part = scratch / f"observations-{size}.csv"
        if csv_write(part, countries, size) != size:
            raise RuntimeError(f"{len(countries)} countries give fewer than {size:,} rows")
        memory[size] = memory_peak(part, database)
        if memory[size]["rows"] != size:
            raise RuntimeError(f"the memory run previewed {memory[size]['rows']:,} of {size:,}")
        part.unlink()
    return ImportFigures(
        vendor=vendor,
        rows=rows,
        file_bytes=path.stat().st_size,
        generate=generate,
        preview=preview,
        apply=apply,
        baseline=baseline,
        reimport=reimport,
        flagged=previewed.flagged,
        memory=memory,
        setup=setup,
    )


def figures(result: ImportFigures) -> list:
    """The import's rows for the bench table."""
    from bench.timing import Figure

    rows = f"{result.rows:,}"
    report = ("report", float("inf"))
    return [
        Figure(f"(f) import preview, {rows} rows", result.preview, None, *report),
        Figure("(f) import apply", result.apply, None, *report),
        Figure(
            "(f) import preview + apply",
            result.total,
            result.baseline,
            f"< {GOAL:g} s",
            GOAL,
            absolute=True,
        ),
        Figure("(f) re-import preview, all unchanged", result.reimport, None, *report),
    ]


def notes(result: ImportFigures) -> list[str]:
    """The lines printed under the table about the import bench."""
    mb = 1024 * 1024
    small, large = (result.memory[n] for n in MEMORY_ROWS)

    def peak(m: dict, n: int) -> str:
        return (
            f"{n:,} rows {m['growth'] / mb:.0f} MB ({(m['growth'] - m['file']) / mb:.0f} MB "
            f"beyond the {m['file'] / mb:.0f} MB file)"
        )

    def ratio(less_file: bool) -> str:
        a, b = (m["growth"] - (m["file"] if less_file else 0) for m in (large, small))
        return f"{a / b:.2f}x" if b > 0 else "n/a"

    return [
        f"(f) import on {result.vendor}: {result.rows:,} rows, {result.file_bytes / mb:.0f} MB "
        f"of CSV; preview {result.preview:.1f} s + apply {result.apply:.1f} s = "
        f"{result.total:.1f} s (goal < {GOAL:g} s), {result.rows / result.total:,.0f} rows/s; "
        f"{result.flagged:,} values flagged",
        "(f) baseline: the same bytes through csv.reader + Observation.objects.bulk_create, "
        f"committed, {result.rows / result.baseline:,.0f} rows/s; apply checks the file "
        "again before writing",
        f"(f) preview peak memory growth (fresh process, VmHWM): {peak(small, MEMORY_ROWS[0])}"
        f", {peak(large, MEMORY_ROWS[1])}; {MEMORY_ROWS[1]:,}/{MEMORY_ROWS[0]:,}: "
        f"{ratio(False)} with the file, {ratio(True)} beyond it (flat would be 1x)",
        f"(f) re-import of the same file into the same draft: {result.reimport:.1f} s, "
        f"{result.rows / result.reimport:,.0f} rows/s",
        f"(f) setup (not timed): CSV written in {result.generate:.1f} s, {result.setup:.1f} s "
        "in all",
    ]


def main(argv: list[str]) -> int:
    if argv[:1] == ["memory"]:
        _memory_child(argv[1], argv[2])
        return 0
    from bench.timing import table

    result = import_bench()
    print(table(figures(result)))
    for line in notes(result):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
