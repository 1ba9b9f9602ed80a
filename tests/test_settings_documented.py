"""Every setting read from the environment is in the README's settings table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = r"(?:env_(?:str|bool|int|list|secret|choice)\(|os\.environ(?:\.get)?[\[(])"
NAME = r"\s*[\"']([A-Z][A-Z0-9_]+)[\"']"
APPS = ("aimai_site", "countries", "compacts", "registry")


def names_read() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            found |= set(re.findall(READERS + NAME, path.read_text()))
    return found


def settings_table() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]


def test_the_readers_are_found():
    # the test would pass on nothing if the pattern stopped matching
    assert {"DATABASE_URL", "REDIS_URL", "PORT", "PROMETHEUS_MULTIPROC_DIR"} <= names_read()


def test_every_setting_from_the_environment_is_in_the_readme_table():
    table = settings_table()
    missing = sorted(name for name in names_read() if f"`{name}`" not in table)
    assert not missing, f"add to README.md's settings table: {missing}"
