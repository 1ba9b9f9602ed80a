"""Content editors write in English is shown in the reader's language where it has been
translated, else in English with a note saying so; English readers see no note."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape

from aimai_site.content import english_pieces
from aimai_site.models import ContentTranslation
from compacts.alliance.models import Principles
from countries.models import DataRelease, MethodologyVersion

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


def _translation(obj, field: str, language: str) -> ContentTranslation:
    return ContentTranslation.objects.get(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        language=language,
    )


def test_the_methodology_page_shows_the_versions_texts_and_rationales_in_its_language(client):
    headline = MethodologyVersion.objects.published().filter(methodology__is_headline=True)
    version = headline.order_by("published_at", "pk").last()  # the one the page shows
    rationale_field = next(f for f in english_pieces(version) if f.startswith("rationale."))
    description = _translation(version, "description", "es")
    rationale = _translation(version, rationale_field, "es")
    english = client.get("/methodology/").content.decode()
    assert escape(english_pieces(version)[rationale_field]) in english
    assert "Not yet translated" not in english
    spanish = client.get("/es/methodology/").content.decode()
    assert f'<p lang="es" dir="auto">{escape(description.text)}</p>' in spanish
    assert f'<span lang="es" dir="auto">{escape(rationale.text)}</span>' in spanish
    english_rationale = escape(english_pieces(version)[rationale_field])
    assert f'<span lang="en" dir="auto">{english_rationale}</span>' not in spanish
    assert "Aún no traducido" not in spanish
    # a rationale without its translation: the English, marked as English
    rationale.delete()
    description.delete()
    spanish = client.get("/es/methodology/").content.decode()
    assert f'<span lang="en" dir="auto">{english_rationale}</span>' in spanish
    assert "Aún no traducido al español" in spanish


def test_a_release_shows_its_name_and_notes_in_the_page_language_else_english_with_a_note(
    client,
):
    release = DataRelease.objects.published().order_by("-published_at").first()
    name = _translation(release, "name", "fr")
    for path in ("/fr/releases/", f"/fr/releases/{release.slug}/"):
        page = client.get(path).content.decode()
        assert escape(name.text) in page, path
        assert "Pas encore traduit" not in page, path
    english = client.get(f"/releases/{release.slug}/").content.decode()
    assert f'<h1 lang="en" dir="auto">{escape(release.name)}</h1>' in english
    name.delete()
    for path in ("/fr/releases/", f"/fr/releases/{release.slug}/"):
        page = client.get(path).content.decode()
        assert escape(release.name) in page, path
        assert "Pas encore traduit en français" in page, path
