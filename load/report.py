"""Print locust's --csv statistics as a table per route; exit 1 when any request failed.

python load/report.py artefacts/load/load     (the --csv prefix given to locust)
"""

import csv
import sys
from pathlib import Path

COLUMNS = ("requests", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s")


def rows(prefix: str) -> list[dict]:
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        return list(csv.DictReader(stats))


def table(stats: list[dict]) -> str:
    lines = []
    width = max(len(f"{row['Type']} {row['Name']}".strip()) for row in stats)
    lines.append(f"{'route':<{width}}  " + "  ".join(f"{c:>9}" for c in COLUMNS))
    for row in stats:
        route = f"{row['Type']} {row['Name']}".strip()
        cells = (
            row["Request Count"],
            row["Failure Count"],
            row["50%"],
            row["95%"],
            row["99%"],
            f"{float(row['Requests/s']):.1f}",
        )
        lines.append(f"{route:<{width}}  " + "  ".join(f"{c:>9}" for c in cells))
    return "\n".join(lines)


def failures(prefix: str) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as found:
        return [
            f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(found)
        ]


def main(prefix: str) -> int:
    stats = rows(prefix)
    print(table(stats))
    total = next((row for row in stats if row["Name"] == "Aggregated"), None)
    failed = int(total["Failure Count"]) if total else sum(int(r["Failure Count"]) for r in stats)
    for line in failures(prefix):
        print(line)
    if failed:
        print(f"FAILED: {failed} request(s) failed")
        return 1
    print("no request failed")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
