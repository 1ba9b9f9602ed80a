from django import template

register = template.Library()


@register.filter
def figure(value: float | int | None) -> str:
    """A value exactly as recorded, with thousands separators: 42,647,492 or 1,992.4244."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"
