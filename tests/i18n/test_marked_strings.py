"""Every piece of text a person reads is marked for translation: in templates (text, and the
attributes people read: titles, labels, alternative text, placeholders, button values) and in
Python (labels, help, choices, admin names, messages, the errors pages and the API show) and
in the site's scripts (node text, readable attributes, alerts)."""

from pathlib import Path

import pytest

from tests.i18n.text_scan import python_unmarked, script_unmarked, template_unmarked, unmarked


def test_no_text_for_people_is_left_unmarked():
    found = unmarked()
    listing = "\n".join(str(item) for item in found[:80])
    assert not found, f"{len(found)} unmarked strings (mark them: see locale/README.md):\n{listing}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello world</p>", ["Hello world"]),
        ('<img src="x.png" alt="A map of the world">', ["A map of the world"]),
        ('<input type="submit" value="Save">', ["Save"]),
        ('<a title="Open data" href="/">{{ x }}</a>', ["Open data"]),
        ("<p>{{ count }} countries</p>", ["countries"]),
        ("{% load i18n %}<p>{% translate 'Hello world' %}</p>", []),
        ("{% load i18n %}<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>", []),
        ("<p>AIMAI · CSV · {{ x }} · 12.5</p>", []),
        ("<script>const words = 'not for people';</script>", []),
        ("{% comment %}a note for editors of the template{% endcomment %}", []),
    ],
)
def test_the_template_scan_finds_unmarked_text(source, expected):
    path = Path(__file__).resolve().parents[2] / "templates" / "_scan_sample.html"
    path.write_text(source)
    try:
        assert [item.text for item in template_unmarked(path)] == expected
    finally:
        path.unlink()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('messages.success(request, "Saved.")', ["Saved."]),
        ('messages.success(request, _("Saved."))', []),
        ('raise ValidationError(f"{n} is too many")', ["is too many"]),
        ('raise ValidationError(_("%(n)s is too many") % {"n": n})', []),
        ('name = forms.CharField(label="Your name")', ["Your name"]),
        ('name = forms.CharField(label=_("Your name"))', []),
        ('class Kind(models.TextChoices):\n    A = "a", "Open model"', ["Open model"]),
        ('class Kind(models.TextChoices):\n    A = "a", _("Open model")', []),
        ('form.add_error("title", "Too long")', ["Too long"]),
        (
            'raise DomainError("Only editors may publish.", code="forbidden")',
            ["Only editors may publish."],
        ),
        ('logger.info("Not for people")', []),
    ],
)
def test_the_python_scan_finds_unmarked_text(source, expected):
    path = Path(__file__).resolve().parents[2] / "compacts" / "_scan_sample.py"
    path.write_text(source + "\n")
    try:
        assert [item.text for item in python_unmarked(path)] == expected
    finally:
        path.unlink()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('status.textContent = "Link copied.";', ["Link copied."]),
        ('status.textContent = gettext("Link copied.");', []),
        ('menu.setAttribute("aria-label", "Close the menu");', ["Close the menu"]),
        ('menu.setAttribute("aria-label", gettext("Close the menu"));', []),
        (
            's.textContent = n + (n === 1 ? " country" : " countries") + " moved.";',
            [" country", " countries", " moved."],
        ),
        (
            's.textContent = interpolate(ngettext("%(n)s country", "%(n)s countries", n), '
            "{ n: n }, true);",
            [],
        ),
        ("li.appendChild(document.createTextNode(' and more'));", [" and more"]),
        ('document.getElementById("verify-result").textContent = "";', []),
        ('var address = "/api/v1/scores/";', []),  # not shown to anyone
    ],
)
def test_the_scan_finds_unmarked_text_in_scripts(tmp_path, source, expected):
    path = tmp_path / "page.js"
    path.write_text(source, encoding="utf-8")
    assert [item.text for item in script_unmarked(path)] == expected
