"""The key findings of a score set, computed from its rows (never written by hand).

Plain functions over the rows charts, tables and downloads use (selectors.score_row): no
request, no ORM. Each finding is one the overview's charts or table show, so a reader can
check it there:

- concentration: the summed capability scores (the 0-100 scale the concentration chart's
  upper bars draw) of the countries the score set flags as top by capability, as a share of
  the summed capability scores of every country the chart shows (those with an AIMAI);
- leaders: the countries with the highest AIMAI (the leading bridgers, when they are in the
  Bridger class), and how many countries are;
- the most capable (the same top by capability) whose AIMAI is below zero;
- the mean AIMAI of each region and income group, with its median, quartiles, range and count;
- what changed since the score set that was current before this one (None: the first).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

TOP_BY_CAPABILITY = "Top by capability"  # the rows' concentration flag, as the chart colours it
BRIDGER = "bridger"
LEADERS = 5
MOVERS = 5


@dataclass(frozen=True)
class CountryRef:
    country: str  # ISO3
    name: str
    url: str


@dataclass(frozen=True)
class Concentration:
    top_n: int  # charted countries flagged top by capability
    countries: int  # countries the chart shows: those with an AIMAI
    top_capability: float  # the top's capability scores, summed
    total_capability: float  # every charted country's capability scores, summed
    share: float | None  # top_capability / total_capability, 0-1 (None when the total is 0)
    even_share: float | None  # top_n / countries: the share if capability were spread evenly

    @property
    def share_percent(self) -> float | None:
        return None if self.share is None else self.share * 100

    @property
    def even_percent(self) -> float | None:
        return None if self.even_share is None else self.even_share * 100


@dataclass(frozen=True)
class Leader:
    country: str
    name: str
    url: str
    aimai: float
    rank: int | None
    capability: float | None
    classification: str
    classification_label: str


@dataclass(frozen=True)
class MostCapable:
    countries: int  # the top by capability that have an AIMAI
    negative_count: int
    negative: list[Leader]  # those with an AIMAI below zero, by capability


@dataclass(frozen=True)
class GroupAverage:
    label: str  # as the table shows it; "" when the countries have none recorded
    code: str  # the table's filter value ("" when there is none)
    count: int  # countries with an AIMAI
    mean: float
    median: float
    q1: float  # lower and upper quartiles (inclusive method; both the value for one country)
    q3: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Mover:
    country: str
    name: str
    url: str
    before: float
    after: float
    change: float  # after - before: for a rank, negative is a rise

    @property
    def size(self) -> float:
        return abs(self.change)


@dataclass(frozen=True)
class ClassChange:
    country: str
    name: str
    url: str
    before: str
    before_label: str
    after: str
    after_label: str


@dataclass(frozen=True)
class Transition:
    before_label: str
    after_label: str
    count: int


@dataclass(frozen=True)
class Changes:
    previous_scored: int  # countries with an AIMAI in the previous score set
    compared: int  # countries with an AIMAI in both score sets
    added: list[CountryRef]  # with an AIMAI now, none (or absent) before
    dropped: list[CountryRef]  # with an AIMAI before, none (or absent) now
    rank_movers: list[Mover]  # largest rank changes among those ranked in both
    score_movers: list[Mover]  # largest AIMAI changes among those scored in both
    class_changes: list[ClassChange]  # scored in both, in another class now
    transitions: list[Transition]  # the class changes counted by (before, after)


@dataclass(frozen=True)
class Findings:
    scored: int
    bridgers: int  # countries in the Bridger class
    concentration: Concentration
    leaders: list[Leader]
    most_capable: MostCapable
    regions: list[GroupAverage]
    income_groups: list[GroupAverage]
    changes: Changes | None  # None: the first score set of its methodology

    def to_dict(self) -> dict:
        return asdict(self)


def _scored(rows: Iterable[Mapping]) -> list[Mapping]:
    return [r for r in rows if r.get("aimai") is not None]


def _ref(row: Mapping) -> CountryRef:
    return CountryRef(row["country"], row["name"], row["url"])


def _leader(row: Mapping) -> Leader:
    return Leader(
        country=row["country"],
        name=row["name"],
        url=row["url"],
        aimai=row["aimai"],
        rank=row.get("rank"),
        capability=row.get("capability"),
        classification=row["classification"],
        classification_label=row["classification_label"],
    )


def concentration_of(scored: list[Mapping]) -> Concentration:
    charted = [r for r in scored if r.get("capability") is not None]
    top = [r for r in charted if r.get("concentration") == TOP_BY_CAPABILITY]
    top_sum = float(sum(r["capability"] for r in top))
    total = float(sum(r["capability"] for r in charted))
    return Concentration(
        top_n=len(top),
        countries=len(charted),
        top_capability=top_sum,
        total_capability=total,
        share=top_sum / total if total > 0 else None,
        even_share=len(top) / len(charted) if charted else None,
    )


def leaders_of(scored: list[Mapping], n: int = LEADERS) -> list[Leader]:
    ordered = sorted(scored, key=lambda r: (-r["aimai"], r["name"]))
    return [_leader(r) for r in ordered[:n]]


def most_capable_of(scored: list[Mapping]) -> MostCapable:
    top = sorted(
        (r for r in scored if r.get("concentration") == TOP_BY_CAPABILITY),
        key=lambda r: (-(r.get("capability") or 0.0), r["name"]),
    )
    negative = [_leader(r) for r in top if r["aimai"] < 0]
    return MostCapable(countries=len(top), negative_count=len(negative), negative=negative)


def group_averages(
    scored: list[Mapping], field: str, codes: Mapping[str, str] | None = None
) -> list[GroupAverage]:
    """AIMAI by group (a row field: region, income_group), highest mean first."""
    groups: dict[str, list[float]] = {}
    for row in scored:
        groups.setdefault(row.get(field) or "", []).append(row["aimai"])
    found = []
    for label, values in groups.items():
        values.sort()
        if len(values) > 1:
            q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = q3 = values[0]
        found.append(
            GroupAverage(
                label=label,
                code=(codes or {}).get(label, ""),
                count=len(values),
                mean=statistics.fmean(values),
                median=statistics.median(values),
                q1=q1,
                q3=q3,
                minimum=values[0],
                maximum=values[-1],
            )
        )
    return sorted(found, key=lambda g: (-g.mean, g.label))


def _movers(pairs: list[tuple[Mapping, Mapping]], field: str, n: int) -> list[Mover]:
    """The largest changes of `field` (either way), largest first; unchanged ones left out."""
    moves = [
        Mover(
            now["country"], now["name"], now["url"], was[field], now[field], now[field] - was[field]
        )
        for was, now in pairs
        if was.get(field) is not None and now.get(field) is not None and was[field] != now[field]
    ]
    return sorted(moves, key=lambda m: (-abs(m.change), m.name))[:n]


def _by_name(codes: set[str], source: Mapping[str, Mapping]) -> list[Mapping]:
    return sorted((source[code] for code in codes), key=lambda r: r["name"])


def changes_of(rows: list[Mapping], previous: list[Mapping], n: int = MOVERS) -> Changes:
    now = {r["country"]: r for r in rows}
    before = {r["country"]: r for r in previous}
    scored_now = {code for code, r in now.items() if r.get("aimai") is not None}
    scored_before = {code for code, r in before.items() if r.get("aimai") is not None}
    both = _by_name(scored_now & scored_before, now)
    pairs = [(before[r["country"]], r) for r in both]
    class_changes = [
        ClassChange(
            r["country"],
            r["name"],
            r["url"],
            was["classification"],
            was["classification_label"],
            r["classification"],
            r["classification_label"],
        )
        for was, r in pairs
        if was["classification"] != r["classification"]
    ]
    counted = Counter((c.before_label, c.after_label) for c in class_changes)
    transitions = [
        Transition(b, a, k) for (b, a), k in sorted(counted.items(), key=lambda i: (-i[1], i[0]))
    ]
    return Changes(
        previous_scored=len(scored_before),
        compared=len(pairs),
        added=[_ref(r) for r in _by_name(scored_now - scored_before, now)],
        dropped=[_ref(r) for r in _by_name(scored_before - scored_now, before)],
        rank_movers=_movers(pairs, "rank", n),
        score_movers=_movers(pairs, "aimai", n),
        class_changes=class_changes,
        transitions=transitions,
    )


def findings_compute(
    rows: Iterable[Mapping],
    previous: Iterable[Mapping] | None = None,
    *,
    group_codes: Mapping[str, Mapping[str, str]] | None = None,
) -> Findings:
    """The findings of a score set's rows; `previous`: the rows of the score set current
    before it (None for the first); `group_codes`: per field, the table's filter value of
    each label (for links)."""
    rows = list(rows)
    scored = _scored(rows)
    codes = group_codes or {}
    return Findings(
        scored=len(scored),
        bridgers=sum(1 for r in scored if r["classification"] == BRIDGER),
        concentration=concentration_of(scored),
        leaders=leaders_of(scored),
        most_capable=most_capable_of(scored),
        regions=group_averages(scored, "region", codes.get("region")),
        income_groups=group_averages(scored, "income_group", codes.get("income_group")),
        changes=changes_of(rows, list(previous)) if previous is not None else None,
    )
