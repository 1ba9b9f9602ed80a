"""Finds text meant for people that is not marked for translation, in templates and in Python
modules. What counts as text for people: see each finder. Kept apart from the tests so a
translator can run it on one file: `python -m tests.i18n.text_scan templates/x.html`."""

from __future__ import annotations

import ast
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Words that read the same in every language: names, formats and standards.
UNTRANSLATED_WORDS = frozenset(
    """AI4NATIONS AIMAI ISO CSV JSON XLSX SVG PNG YAML RFC CC BY SHA OpenAPI Swagger Redoc Atom
    SHA-256 BibTeX RIS DOI ORCID TOTP WebAuthn UNDP HDI GitHub Vega UTC URL HTTP HTTPS PDF ID SDG
    OECD ODA GNI GDP IEA ITU UNESCO WIPO PyPI x kB MB KB GB""".split()
)
WORDS = re.compile(r"[^\W_][\w.-]*")
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Unmarked:
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text!r}"


def needs_translation(text: str) -> bool:
    words = [w.rstrip(".-") for w in WORDS.findall(html.unescape(text)) if LETTER.search(w)]
    return any(word not in UNTRANSLATED_WORDS for word in words)


# --- templates --------------------------------------------------------------------------------

_TRANSLATING_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
_SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim"}
_HIDDEN = re.compile(
    r"<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>|<svg\b[^>]*\baria-hidden=\"true\".*?</svg\s*>",
    re.S | re.I,
)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>|</[a-zA-Z][^<>]*>|<!doctype[^>]*>", re.I)
_TEXT_ATTRIBUTES = re.compile(
    r"\b(title|alt|placeholder|aria-label|aria-description|aria-roledescription|data-label)\s*=\s*\"([^\"]*)\"",
    re.I,
)
_META_DESCRIPTION = re.compile(r"<meta\s+name=\"description\"\s+content=\"([^\"]*)\"", re.I)
_BUTTON_VALUE = re.compile(r"<input\b[^>]*type=\"(?:submit|button|reset)\"[^>]*>", re.I)
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"", re.I)
# stand-ins for template tags and variables: never text, and they split text apart
_VARIABLE = "\x00"
_TAG_MARK = "\x01"


def template_stream(source: str) -> tuple[str, list[int]]:
    """The template's text outside translation and comment blocks, with each template tag
    and variable replaced by a stand-in; and, per character, its line number."""
    from django.template.base import Lexer, TokenType

    parts: list[str] = []
    lines: list[int] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            text = token.contents
        elif token.token_type == TokenType.VAR:
            text = _VARIABLE
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            closing = _TRANSLATING_BLOCKS.get(name) or _SKIPPED_BLOCKS.get(name)
            text = _VARIABLE if closing in _TRANSLATING_BLOCKS.values() else _TAG_MARK
        else:
            continue
        line = token.lineno
        for char in text:
            parts.append(char)
            lines.append(line)
            if char == "\n":
                line += 1
    return "".join(parts), lines


def _blank(match: re.Match) -> str:
    # keep offsets (and so line numbers) while hiding what a match covers
    return "".join("\n" if c == "\n" else " " for c in match.group(0))


def template_unmarked(path: Path) -> list[Unmarked]:
    stream, lines = template_stream(path.read_text())
    stream = _HIDDEN.sub(_blank, stream)
    relative = str(path.relative_to(ROOT))
    found: list[Unmarked] = []

    def report(offset: int, text: str) -> None:
        cleaned = text.replace(_VARIABLE, " ").replace(_TAG_MARK, " ").strip()
        if needs_translation(cleaned):
            found.append(Unmarked(relative, lines[offset] if offset < len(lines) else 0, cleaned))

    for tag in _TAG.finditer(stream):
        for attribute in _TEXT_ATTRIBUTES.finditer(tag.group(0)):
            report(tag.start() + attribute.start(2), attribute.group(2))
        for meta in _META_DESCRIPTION.finditer(tag.group(0)):
            report(tag.start() + meta.start(1), meta.group(1))
        if _BUTTON_VALUE.match(tag.group(0)):
            for value in _VALUE.finditer(tag.group(0)):
                report(tag.start() + value.start(1), value.group(1))
    text_only = _TAG.sub(_blank, stream)
    for chunk in re.finditer(r"[^\x00\x01]+", text_only):
        if chunk.group(0).strip():
            report(
                chunk.start() + len(chunk.group(0)) - len(chunk.group(0).lstrip()), chunk.group(0)
            )
    return found


# --- Python -----------------------------------------------------------------------------------

TRANSLATING_CALLS = frozenset(
    """_ gettext gettext_lazy ngettext ngettext_lazy pgettext pgettext_lazy npgettext
    npgettext_lazy gettext_noop format_lazy""".split()
)
# keyword arguments whose text people read (labels, help, names in the admin)
TEXT_KEYWORDS = frozenset(
    """label help_text verbose_name verbose_name_plural empty_label description
    short_description""".split()
)
# exceptions whose message people read (pages, forms, the API's error bodies)
MESSAGE_EXCEPTIONS = frozenset(
    """ValidationError PermissionDenied DomainError NotFoundError InvalidInput Forbidden
    DataLoadError ProposalInputError ConcernConflict NotFound ParseError""".split()
)
# in the API's modules these describe the OpenAPI schema, which stays English
SCHEMA_KEYWORDS = frozenset({"help_text", "description", "label"})
SCHEMA_MODULES = (
    "aimai_site/schema.py",
    "aimai_site/docs.py",
    "aimai_site/api_params.py",
    "compacts/alliance/cluster_api.py",
    "compacts/alliance/directory_api.py",
)
MESSAGE_LEVELS = frozenset("debug info success warning error".split())


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _literal_text(node: ast.AST | None) -> str | None:
    """The text of an unmarked literal (a plain string, an f-string, a formatted literal)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " " for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.Call) and _name(node.func) == "format":
        return _literal_text(getattr(node.func, "value", None))
    if isinstance(node, ast.Dict):
        texts = [_literal_text(value) for value in node.values]
        return " ".join(t for t in texts if t) or None
    if isinstance(node, ast.List | ast.Tuple):
        texts = [_literal_text(value) for value in node.elts]
        return " ".join(t for t in texts if t) or None
    return None


class _PythonScan(ast.NodeVisitor):
    def __init__(self, relative: str) -> None:
        self.relative = relative
        self.found: list[Unmarked] = []
        self.choices_class = 0
        self.schema_module = "/api/" in f"/{relative}" or relative.endswith(SCHEMA_MODULES)

    def report(self, node: ast.AST, value: ast.AST | None) -> None:
        text = _literal_text(value)
        if text and needs_translation(text):
            self.found.append(Unmarked(self.relative, node.lineno, text.strip()))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        is_choices = any(_name(base).endswith("Choices") for base in node.bases)
        self.choices_class += is_choices
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            target = statement.targets[0]
            if _name(target) in TEXT_KEYWORDS:
                self.report(statement, statement.value)
            elif is_choices and isinstance(statement.value, ast.Tuple):
                # a choice's label: MEMBER = "value", "Label"
                self.report(statement, statement.value.elts[-1])
        self.generic_visit(node)
        self.choices_class -= is_choices

    def visit_Assign(self, node: ast.Assign) -> None:
        # admin columns: some_column.short_description = "..."
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in TEXT_KEYWORDS:
                self.report(node, node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in TRANSLATING_CALLS:
            return  # marked: nothing inside needs looking at
        for keyword in node.keywords:
            if keyword.arg in SCHEMA_KEYWORDS and self.schema_module:
                continue  # the OpenAPI schema stays English
            if keyword.arg in TEXT_KEYWORDS or keyword.arg == "message":
                self.report(node, keyword.value)
            elif keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                for choice in keyword.value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        self.report(node, choice.elts[1])
            elif keyword.arg == "error_messages":
                self.report(node, keyword.value)
        if name in MESSAGE_EXCEPTIONS and node.args:
            self.report(node, node.args[0])
        if (
            name in MESSAGE_LEVELS
            and _name(getattr(node.func, "value", None)) == "messages"
            and len(node.args) >= 2
        ):
            self.report(node, node.args[1])
        if name == "add_error" and len(node.args) >= 2:
            self.report(node, node.args[1])
        self.generic_visit(node)


def python_unmarked(path: Path) -> list[Unmarked]:
    scan = _PythonScan(str(path.relative_to(ROOT)))
    scan.visit(ast.parse(path.read_text(), filename=str(path)))
    return scan.found


# --- what is scanned --------------------------------------------------------------------------

APPS = ("aimai_site", "countries", "compacts", "registry")
# not text for people: operators' commands, the schema of the past, settings, and the index
# engine, which needs no Django (its messages are marked with its own gettext_noop)
SKIPPED_PARTS = ("migrations", "management", "tests")
SKIPPED_FILES = ("aimai_site/settings.py", "aimai_site/celery.py", "aimai_site/schedule.py")
SKIPPED_DIRECTORIES = ("countries/index/",)


def python_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if (
                set(path.relative_to(ROOT).parts) & set(SKIPPED_PARTS)
                or relative in SKIPPED_FILES
                or relative.startswith(SKIPPED_DIRECTORIES)
            ):
                continue
            files.append(path)
    return files


def template_files() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "templates").rglob("*.txt")
    )


# --- the site's scripts -----------------------------------------------------------------------

# a statement that puts text before a reader: node text, a readable attribute, an alert
_SCRIPT_SHOWS = re.compile(
    r"\.(?:textContent|innerText|title|placeholder)\s*=|createTextNode\(|"
    r"setAttribute\(\s*[\"'](?:aria-label|title|placeholder|alt)[\"']|\balert\(|\bconfirm\("
)
# the catalogue's functions, with their literal arguments: what they hold is marked
_SCRIPT_MARKED = re.compile(
    r"\b(?:n|p|np)?gettext\(\s*(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    r"(?:\s*,\s*(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'))*"
)
_SCRIPT_LITERAL = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")
# names, not text: an attribute's, or what a selector looks for
_SCRIPT_NAMES = re.compile(
    r"(?:setAttribute|getElementById|querySelector(?:All)?|closest)\(\s*[\"'][^\"']*[\"']"
)


def script_unmarked(path: Path) -> list[Unmarked]:
    """Words a script shows a reader (node text, titles, labels, alerts) outside gettext()."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not _SCRIPT_SHOWS.search(line):
            continue
        rest = _SCRIPT_NAMES.sub("", _SCRIPT_MARKED.sub("", line))
        for match in _SCRIPT_LITERAL.finditer(rest):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            if needs_translation(text):
                found.append(Unmarked(_relative(path), number, text))
    return found


def script_files() -> list[Path]:
    return sorted((ROOT / "static" / "js").glob("*.js"))


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def unmarked(paths: list[Path] | None = None) -> list[Unmarked]:
    scanners = {".py": python_unmarked, ".js": script_unmarked}
    found: list[Unmarked] = []
    everything = template_files() + python_files() + script_files()
    for path in paths if paths is not None else everything:
        found += scanners.get(path.suffix, template_unmarked)(path)
    return found


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aimai_site.settings")
    django.setup()
    arguments = [Path(a).resolve() for a in sys.argv[1:]]
    for item in unmarked(arguments or None):
        print(item)
