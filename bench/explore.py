"""(h) The what-if explorer's recompute for one changed weighting on the world edition: the
shipped world release and its headline score set (about 190 ranked countries), loaded as the
demo loader does into a throwaway database.

For ~30 random one-weight changes (a dimension's or an indicator's weight), the median and p95
time per change of:
  - exploration(state) with the cache cleared before each change (the engine runs: cold),
  - exploration(state) again (a cache hit: warm),
  - GET /methodology/explore/results.json through Django's test Client, cold and warm,
  - GET the page itself (what a visitor without script waits for), the variant cached,
against a baseline measured in the same run: the engine's compute() alone for the same
definitions. Goal: under 100 ms per change on a warm server, so the sliders feel live.
`python -m bench.run explore` runs this section alone.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlencode

CHANGES = 30
SEED = 20261206
GOAL_SECONDS = 0.100


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass(frozen=True)
class Series:
    name: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class ExploreFigures:
    countries: int
    ranked: int
    indicators: int
    setup: float
    series: list[Series]
    baseline: Series


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _states(base: dict, rng: random.Random) -> list[dict[str, str]]:
    """One changed weight each: a dimension's (any sign, 0 included) or an indicator's."""
    codes = [spec["code"] for group in base["dimensions"].values() for spec in group["indicators"]]
    states = []
    for _ in range(CHANGES):
        if rng.random() < 0.4:
            name = rng.choice(list(base["dimensions"]))
            states.append({f"d.{name}": repr(round(rng.uniform(-3, 3), 2))})
        else:
            states.append({f"w.{rng.choice(codes)}": repr(round(rng.uniform(0.1, 4), 2))})
    return states


def explore_bench() -> ExploreFigures:
    from bench.database import django_setup, throwaway_database

    scratch = tempfile.mkdtemp(prefix="aimai-bench-")
    try:
        django_setup(scratch)
        with throwaway_database(scratch):
            return _bench()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _bench() -> ExploreFigures:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from aimai_site.celery import app
    from countries import explore
    from countries.index.engine import compute
    from countries.index.reading import methodology_parse
    from countries.selectors import score_set_resolve
    from countries.shipped import shipped_load
    from countries.whatif import variant_definition

    started = time.perf_counter()
    app.conf.task_always_eager = True  # publishing queues a recompute: run it here, now
    shipped_load()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    digest = score_set_resolve().digest
    published = explore.published_get(digest)  # once per process, then kept: not timed
    setup = time.perf_counter() - started
    base = published.base
    regions = published.inputs["regions"]
    states = _states(base, random.Random(SEED))  # noqa: S311 (seeded changes, not secrets)
    client = Client()
    path = "/methodology/explore/results.json"

    def engine(state: dict) -> None:
        compute(
            methodology_parse(variant_definition(base, state)),
            published.observations,
            regions.keys(),
            regions,
            sensitivity=False,
        )

    def http(state: dict) -> None:
        response = client.get(f"{path}?{urlencode(state)}")
        if response.status_code != 200:
            raise RuntimeError(f"{state}: {response.status_code} {response.content[:200]!r}")

    def page(state: dict) -> None:  # the whole page without script, the variant cached
        response = client.get(f"/methodology/explore/?{urlencode(state)}", follow=True)
        if response.status_code != 200:
            raise RuntimeError(f"{state}: page {response.status_code}")

    for state in states[:3]:  # warm-up: imports, first queries, the template of the JSON
        engine(state)
        http(state)
    baseline, cold, warm, http_cold, http_warm, pages = [], [], [], [], [], []
    for state in states:
        baseline.append(_timed(lambda state=state: engine(state)))
        cache.clear()
        cold.append(_timed(lambda state=state: explore.exploration(state)))
        warm.append(_timed(lambda state=state: explore.exploration(state)))
        cache.clear()
        http_cold.append(_timed(lambda state=state: http(state)))
        http_warm.append(_timed(lambda state=state: http(state)))
        pages.append(_timed(lambda state=state: page(state)))
    result = explore.exploration(states[0])
    return ExploreFigures(
        countries=len(result.shifts),
        ranked=sum(1 for s in result.shifts if s.rank is not None),
        indicators=len(published.outputs["indicators"]),
        setup=setup,
        series=[
            Series("exploration(), cold (engine runs)", cold),
            Series("exploration(), warm (cache hit)", warm),
            Series("GET results.json, cold", http_cold),
            Series("GET results.json, warm", http_warm),
            Series("GET the page (no script), warm", pages),
        ],
        baseline=Series("engine compute() alone", baseline),
    )


def table(figures: ExploreFigures) -> str:
    from bench.timing import grid

    base = figures.baseline.median
    rows = [("(h) explorer, one change", "median", "p95", "baseline", "ratio", "goal", "met")]
    for series in figures.series:
        rows.append(
            (
                series.name,
                f"{series.median * 1000:.1f} ms",
                f"{series.p95 * 1000:.1f} ms",
                f"{base * 1000:.1f} ms",
                f"{series.median / base:.2f}x",
                "< 100 ms",
                "yes" if series.median < GOAL_SECONDS else "NO",
            )
        )
    return grid(rows)


def notes(figures: ExploreFigures) -> list[str]:
    b = figures.baseline
    return [
        f"(h) world edition: {figures.countries} countries ({figures.ranked} ranked), "
        f"{figures.indicators} indicators; {CHANGES} one-weight changes, seed {SEED}",
        f"(h) baseline: the engine's compute() alone for the same definitions, median "
        f"{b.median * 1000:.1f} ms, p95 {b.p95 * 1000:.1f} ms; cold = cache cleared before "
        "each change; the score set's inputs are read once per process (not timed)",
        f"(h) setup (shipped releases loaded and scored, not timed): {figures.setup:.1f} s",
    ]


def main() -> int:
    _say(f"(h) the what-if explorer: {CHANGES} one-weight changes on the world edition ...")
    figures = explore_bench()
    _say("")
    _say(table(figures))
    _say("")
    for line in notes(figures):
        _say(line)
    return 0
