"""The main pages under their Content-Security-Policy in Chromium: nothing blocked, and what
needs scripts (the charts, the tooltip, the API docs, the registry check) still works."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# runs before any page script; the events of blocked scripts and styles land in a list
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${where})`
  );
});
"""

PAGES = [
    "/",
    "/countries/",
    "/countries/KEN/",
    "/methodology/",
    "/releases/",
    "/data/check/",
    "/registry/",
    "/compacts/",
    "/accounts/login/",
    "/admin/login/",
    "/api/docs/",
    "/api/redoc/",
]


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and console error it reports gathered."""
    errors: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_the_main_pages_run_under_the_policy_without_a_violation(
    live_server, committed_demo_data, watched
):
    page, errors = watched
    page.set_viewport_size({"width": 1280, "height": 900})
    seen = {}
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        if path == "/":
            page.locator("#chart-concentration").hover()  # the library loads on first use
            for chart in ("concentration", "scatter", "map"):
                expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "true")
            # the tooltip (styled from css/vega.css, not an injected <style>)
            page.locator("#chart-scatter").scroll_into_view_if_needed()
            page.locator("#chart-scatter g.mark-symbol.role-mark path").first.hover()
            tooltip = page.locator("#vg-tooltip-element")
            expect(tooltip).to_be_visible()
            assert tooltip.evaluate("e => getComputedStyle(e).position") == "fixed"
            # the actions menu is styled too: collapsed until opened
            expect(page.locator("#chart-map details > summary")).to_be_visible()
            expect(page.locator("#chart-map details .vega-actions")).to_be_hidden()
        elif path == "/countries/KEN/":
            expect(page.locator("#chart-explain")).to_have_attribute("data-rendered", "true")
        elif path == "/api/docs/":
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("AI4NATIONS")
            expect(page.locator(".opblock").first).to_be_visible()
        elif path == "/api/redoc/":
            expect(page.locator("#redoc-container h1")).to_contain_text("AI4NATIONS")
        else:
            page.wait_for_load_state("load")
        # Redoc's own logo comes from its makers' site: blocked, as every outside request is
        seen[path] = [v for v in violations(page) if "cdn.redoc.ly" not in v]
    assert {path: found for path, found in seen.items() if found} == {}
    blocked = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    assert [e for e in blocked if "cdn.redoc.ly" not in e] == []


def test_a_blocked_inline_script_is_reported_as_a_violation(live_server, watched):
    """The check above can fail: an injected inline script is blocked and recorded."""
    page, errors = watched
    page.goto(f"{live_server.url}/methodology/")
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.ranInline = true"; document.body.appendChild(s); }"""
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ranInline === undefined")
    assert any("script-src" in v for v in violations(page))


def test_the_editors_desk_runs_under_the_policy_without_a_violation(
    live_server, committed_demo_data, watched
):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    desk = get_user_model().objects.create_superuser(
        "desk", "desk@example.org", "a long pass phrase"
    )
    EmailAddress.objects.create(user=desk, email=desk.email, verified=True, primary=True)
    page, errors = watched
    page.goto(f"{live_server.url}/admin/login/")  # leads to the site's log-in
    page.fill("input[name=login]", "desk@example.org")
    page.fill("input[name=password]", "a long pass phrase")
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("#user-tools")).to_contain_text("desk")
    seen = {"/admin/": violations(page)}
    release = committed_demo_data
    for path in [
        "/admin/countries/datarelease/",
        f"/admin/countries/datarelease/{release.pk}/change/",
        "/admin/countries/datarelease/add/",
        "/admin/registry/entry/",
        "/admin/auth/user/",
        "/compacts/dashboard/",
        "/accounts/email/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        seen[path] = violations(page)
    assert {path: found for path, found in seen.items() if found} == {}
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
