"""Imports point one way: compacts -> registry -> countries -> aimai_site. A lower app that needs
a higher one's data gets it through a provider (or a signal) registered at start-up; the URL
configuration, which wires every app in, is the one place that sees them all."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE = {
    "aimai_site": {"countries", "registry", "compacts"},
    "countries": {"registry", "compacts"},
    "registry": {"compacts"},
}
WIRING = {ROOT / "aimai_site" / "urls.py"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_an_app_imports_nothing_built_on_it(app):
    wrong = {
        f"{path.relative_to(ROOT)}: {', '.join(sorted(imported(path) & ABOVE[app]))}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path not in WIRING and imported(path) & ABOVE[app]
    }
    assert sorted(wrong) == []


def test_the_countries_app_gets_compacts_through_its_providers():
    from compacts import indicator, selectors
    from countries.providers import providers

    assert providers.commitment_rows is indicator.commitment_rows
    assert providers.compacts_counted_for is indicator.compacts_counted_for
    assert providers.country_compacts is selectors.country_compacts
