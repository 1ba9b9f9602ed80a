"""What the countries list says of a country the index does not score, and why."""

from django.utils.translation import gettext as _

DIMENSION_NAMES = ("capability", "solidarity", "burden")


def unscored_reason(row: dict | None, observation_count: int) -> str:
    """Why a country has no AIMAI, from what the score set and the release hold; empty when
    it has one."""
    if row is not None and row.get("aimai") is not None:
        return ""
    if not observation_count:
        return _("no data in this release")
    if row is None:
        return _("not in the index's score set")
    missing = [name for name in DIMENSION_NAMES if row.get(name) is None]
    if missing:
        return MISSING[tuple(missing)]()
    return _("insufficient data")


# every set of missing dimensions as a whole phrase, so that each reads well translated
MISSING = {
    ("capability",): lambda: _("no capability score"),
    ("solidarity",): lambda: _("no solidarity score"),
    ("burden",): lambda: _("no burden score"),
    ("capability", "solidarity"): lambda: _("no capability or solidarity score"),
    ("capability", "burden"): lambda: _("no capability or burden score"),
    ("solidarity", "burden"): lambda: _("no solidarity or burden score"),
    ("capability", "solidarity", "burden"): lambda: _(
        "no capability or solidarity or burden score"
    ),
}
