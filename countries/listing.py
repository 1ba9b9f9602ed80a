"""What the countries list says of a country the index does not score, and why."""

DIMENSION_NAMES = ("capability", "solidarity", "burden")


def unscored_reason(row: dict | None, observation_count: int) -> str:
    """Why a country has no AIMAI, from what the score set and the release hold; empty when
    it has one."""
    if row is not None and row.get("aimai") is not None:
        return ""
    if not observation_count:
        return "no data in this release"
    if row is None:
        return "not in the index's score set"
    missing = [name for name in DIMENSION_NAMES if row.get(name) is None]
    if missing:
        return "no " + " or ".join(missing) + " score"
    return "insufficient data"
