"""The log's times, kept as milliseconds since 1970 (UTC) so that verifiers can recompute
every hash, shown to readers as dates."""

from datetime import UTC, datetime

from django import template

register = template.Library()

MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _moment(milliseconds) -> datetime | None:
    """The UTC moment of a millisecond timestamp; None for anything that is not one."""
    try:
        return datetime.fromtimestamp(int(milliseconds) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@register.filter
def utc_date(milliseconds, form: str = "") -> str:
    """ "5 December 2026, 14:03 UTC", or with "short" "5 Dec 2026, 14:03" for a table whose
    heading says UTC (English whatever the locale: the log is one record)."""
    moment = _moment(milliseconds)
    if moment is None:
        return ""
    month = MONTHS[moment.month - 1]
    if form == "short":
        return f"{moment.day} {month[:3]} {moment.year}, {moment:%H:%M}"
    return f"{moment.day} {month} {moment.year}, {moment:%H:%M} UTC"


@register.filter
def utc_iso(milliseconds) -> str:
    """The machine-readable form for <time datetime="…">, to the second."""
    moment = _moment(milliseconds)
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
