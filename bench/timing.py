"""Timing helpers and the printed table: the best of a few runs, since noise only adds time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


def best_of(run: Callable[[], object], repeat: int) -> float:
    """Shortest wall-clock time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


@dataclass(frozen=True)
class Figure:
    name: str
    seconds: float
    baseline: float | None  # seconds of the yardstick, None when the goal is absolute
    goal: str  # "<= 1.5x" (a ratio to the baseline) or "< 5 s" (without a baseline)
    limit: float
    absolute: bool = False  # judged on the seconds against the limit, the baseline only shown

    @property
    def ratio(self) -> float | None:
        return None if self.baseline is None else self.seconds / self.baseline

    @property
    def met(self) -> bool:
        if self.ratio is None or self.absolute:
            return self.seconds < self.limit
        return self.ratio <= self.limit


def table(figures: list[Figure]) -> str:
    rows = [("benchmark", "time", "baseline", "ratio", "goal", "met")]
    for f in figures:
        rows.append(
            (
                f.name,
                _duration(f.seconds),
                "-" if f.baseline is None else _duration(f.baseline),
                "-" if f.ratio is None else f"{f.ratio:.2f}x",
                f.goal,
                "yes" if f.met else "NO",
            )
        )
    return grid(rows)


def grid(rows: list[tuple[str, ...]]) -> str:
    """Rows of cells in aligned columns, a rule under the first (the heading)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _duration(seconds: float) -> str:
    """Seconds to three decimals; under a tenth of a second, milliseconds to two."""
    return f"{seconds:.3f} s" if seconds >= 0.1 else f"{seconds * 1e3:.2f} ms"
