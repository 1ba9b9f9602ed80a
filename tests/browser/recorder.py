"""What the walkthroughs share: a recorder that photographs each step at every width and checks
it with axe and for sideways scrolling, and a watcher of the CSP violations and console errors
every page meets."""

from urllib.parse import urlparse

from tests.browser.test_content_security_policy_browser import RECORD_VIOLATIONS
from tests.browser.test_overview_browser import serious_violations
from tests.browser.test_pages_accessibility import WIDTHS


def viewport(width: str) -> dict:
    return dict(zip(("width", "height"), WIDTHS[width], strict=True))


class Walk:
    """Screenshots numbered in the order of the steps, each at every width (named
    `{prefix}-{step}-{name}-{width}.png`), with axe and the phone's overflow on the checked
    ones gathered to be asserted at the end."""

    def __init__(self, folder, prefix: str) -> None:
        self.folder, self.prefix, self.count, self.checked = folder, prefix, 0, []

    def shot(self, page, name: str, *, check: bool = True) -> None:
        self.count += 1
        for width in WIDTHS:
            page.set_viewport_size(viewport(width))
            path = self.folder / f"{self.prefix}-{self.count:02d}-{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            if check:
                overflows = not page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth"
                )
                self.checked.append(
                    (urlparse(page.url).path, name, width, serious_violations(page), overflows)
                )
        page.set_viewport_size(viewport("desktop"))

    def summary(self) -> str:
        return "\n".join(
            f"{path} ({name}, {width}): "
            + ("; ".join(violations) if violations else "no serious or critical violation")
            + (", overflows sideways" if overflows else "")
            for path, name, width, violations, overflows in self.checked
        )

    def problems(self) -> list:
        return [row for row in self.checked if row[3] or row[4]]


class Watched:
    """Every page of the walk records the CSP violations it meets and its console errors."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def context(self, browser):
        context = browser.new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        return context

    def page(self, context):
        page = context.new_page()
        page.set_viewport_size(viewport("desktop"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"{page.url}: {message.text}")
                if message.type == "error" or "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        return page

    def blocked(self, page) -> None:
        """The violations the current document recorded (before leaving it)."""
        for violation in page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{page.url}: {violation}")


def log_in(page, base: str, email: str, password: str):
    """Log the page in through the sign-in form; back once it has left the form."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page
