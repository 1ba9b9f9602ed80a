"""The site runs offline: a page asks nothing of another site."""


def requests_elsewhere(page, base: str) -> list[str]:
    """The addresses the page asks for outside `base` (data: URLs aside), as they happen."""
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith((base, "data:")) else None
        ),
    )
    return outside
