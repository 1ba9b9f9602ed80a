"""Content editors write in English is shown in the reader's language where it has been
translated, else in English with a note saying so; English readers see no note."""

import pytest
from django.contrib.contenttypes.models import ContentType

from aimai_site.content import english_pieces
from aimai_site.models import ContentTranslation
from compacts.alliance.models import Principles

pytestmark = pytest.mark.django_db


def test_the_principles_read_in_french_and_fall_back_to_english_with_a_note(client):
    principles = Principles.objects.current()
    first = principles.principles[0]
    english = client.get("/principles/").content.decode()
    assert first["title"] in english
    assert "Not yet translated" not in english
    french = client.get("/fr/principles/").content.decode()
    translated = ContentTranslation.objects.get(
        content_type=ContentType.objects.get_for_model(Principles),
        object_id=principles.pk,
        field="principles.1.title",
        language="fr",
    )
    assert translated.text in french
    assert f'<h3 lang="fr" dir="auto">{translated.text}</h3>' in french
    # a piece without its translation: the English, marked as such, with the note
    ContentTranslation.objects.filter(
        object_id=principles.pk, field="principles.2.text", language="fr"
    ).delete()
    french = client.get("/fr/principles/").content.decode()
    assert f'<p lang="en" dir="auto">{principles.principles[1]["text"]}</p>' in french
    assert "shown in English" in french or "anglais" in french


def test_every_piece_named_by_a_translation_exists():
    for row in ContentTranslation.objects.all():
        target = row.content_type.get_object_for_this_type(pk=row.object_id)
        assert row.field in english_pieces(target), row
