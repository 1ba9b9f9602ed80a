"""Sentences that list names list them as the page's language does (CLDR's list patterns)."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

LISTED = Template('{% load wording %}{{ people|spoken_list:"organisation.name" }}')


def people(*names: str) -> list:
    return [SimpleNamespace(organisation=SimpleNamespace(name=name)) for name in names]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "Asha Trust, Bo Lab, and Chen Institute"),
        ("fr", "Asha Trust, Bo Lab et Chen Institute"),
        ("es", "Asha Trust, Bo Lab y Chen Institute"),
        ("ar", "Asha Trust وBo Lab وChen Institute"),
    ],
)
def test_names_in_a_sentence_are_joined_as_the_language_joins_them(code, expected):
    with translation.override(code):
        listed = LISTED.render(
            Context({"people": people("Asha Trust", "Bo Lab", "Chen Institute")})
        )
    assert listed == expected


def test_listed_names_are_escaped_and_an_empty_list_says_nothing():
    with translation.override("en"):
        assert LISTED.render(Context({"people": people("<b>A</b>", "B")})) == (
            "&lt;b&gt;A&lt;/b&gt; and B"
        )
        assert LISTED.render(Context({"people": []})) == ""
