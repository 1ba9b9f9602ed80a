"""The shipped content comes translated: the founding principles (migration 0012 of compacts)
and the shipped releases' and methodologies' texts (YAML files beside them, stored by
shipped_load) have every piece in French, Spanish and Arabic, name no piece their content
lacks, follow the glossary, and loading again changes nothing."""

import importlib
import re
from types import SimpleNamespace

import pytest
import yaml
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType

from aimai_site.content import english_pieces, texts_of
from aimai_site.models import ContentTranslation
from compacts.alliance.models import Principles
from compacts.alliance.principles import FOUNDING, FOUNDING_NOTE
from compacts.alliance.principles_translations import FOUNDING_TRANSLATIONS
from compacts.alliance.translatable import principles_pieces
from countries.loaders import DataLoadError
from countries.models import DataRelease, MethodologyVersion
from countries.scoring import SHIPPED, SHIPPED_DIR
from countries.shipped import RELEASE_DIRECTORIES, RELEASE_LOADERS
from countries.translatable import (
    METHODOLOGY_TRANSLATIONS_DIR,
    RELEASE_TRANSLATIONS,
    methodology_pieces,
    release_pieces,
    shipped_translations,
    translations_store,
)
from registry.models import Entry
from tests.compacts.conftest import principles_current
from tests.conftest import demo_index_load
from tests.i18n.test_glossary import glossary, key

LANGUAGES = ("fr", "es", "ar")
FOUNDING_MIGRATION = importlib.import_module(
    "compacts.migrations.0012_founding_principles_translations"
)


def stored(obj) -> dict[str, dict[str, str]]:
    rows = ContentTranslation.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).values_list("language", "field", "text")
    found: dict[str, dict[str, str]] = {}
    for language, field, text in rows:
        found.setdefault(language, {})[field] = text
    return found


def assert_complete(obj) -> None:
    pieces = set(english_pieces(obj))
    assert pieces, obj
    translated = stored(obj)
    for language in LANGUAGES:
        assert set(translated.get(language, {})) == pieces, f"{obj} [{language}]"
        assert all(text.strip() for text in translated[language].values())


def glossary_strays(english: dict[str, str], translations: dict[str, dict[str, str]]):
    """Each enforced term an English piece uses, missing from that piece's translation."""
    terms = [row for row in glossary() if row["enforced"] == "yes"]
    for language, texts in translations.items():
        for field, text in texts.items():
            for row in terms:
                if re.search(rf"\b{re.escape(row['term'])}\b", english[field]):
                    if key(row[language], language) not in text.lower():
                        yield f"{field} [{language}]: {row['term']!r} -> {row[language]!r}"


# --- the founding principles ---------------------------------------------------------------


def test_the_translations_cover_every_piece_of_the_founding_principles():
    founding = SimpleNamespace(principles=FOUNDING, note=FOUNDING_NOTE)
    for language in LANGUAGES:
        assert set(FOUNDING_TRANSLATIONS[language]) == set(principles_pieces(founding))
    assert set(FOUNDING_TRANSLATIONS) == set(LANGUAGES)
    assert not list(glossary_strays(principles_pieces(founding), FOUNDING_TRANSLATIONS))


@pytest.mark.django_db
def test_after_the_migrations_the_founding_principles_read_in_every_language():
    founding = Principles.objects.get(version=1)
    assert founding.principles == FOUNDING
    assert_complete(founding)
    assert texts_of(founding, "fr")["principles.2.title"].text == "L’entraide dès la conception"
    assert texts_of(founding, "ar")["principles.1.title"].text == "القدرة المشتركة بدلًا من الهيمنة"
    assert not texts_of(founding, "es").any_fallback


@pytest.mark.django_db
def test_the_migration_runs_again_without_change_and_undoes_only_its_own_rows():
    founding = principles_current()
    FOUNDING_MIGRATION.store_translations(django_apps, None)
    before = stored(founding)
    FOUNDING_MIGRATION.store_translations(django_apps, None)
    assert stored(founding) == before

    edited = ContentTranslation.objects.get(
        object_id=founding.pk, field="principles.1.title", language="fr"
    )
    edited.text = "La capacité partagée, non la domination"
    edited.save()
    FOUNDING_MIGRATION.store_translations(django_apps, None)
    edited.refresh_from_db()
    assert edited.text == "La capacité partagée, non la domination"  # an editor's text is kept

    FOUNDING_MIGRATION.remove_translations(django_apps, None)
    assert stored(founding) == {"fr": {"principles.1.title": edited.text}}


@pytest.mark.django_db
def test_principles_that_are_not_the_founding_text_get_no_translation():
    founding = principles_current()
    ContentTranslation.objects.filter(object_id=founding.pk).delete()
    Principles.objects.filter(pk=founding.pk).update(
        principles=[{**p, "text": p["text"] + " (amended)"} for p in FOUNDING]
    )
    FOUNDING_MIGRATION.store_translations(django_apps, None)
    assert stored(founding) == {}


# --- the shipped files ----------------------------------------------------------------------


def shipped_definitions() -> dict[str, dict]:
    """Each shipped methodology's definition, by the name of its translations file."""
    found = {}
    for name in SHIPPED:
        definition = yaml.safe_load((SHIPPED_DIR / name).read_text(encoding="utf-8"))
        found[f"{definition['slug']}-{definition['version']}.yaml"] = definition
    return found


def test_every_shipped_methodology_has_a_translations_file_and_no_other_file_is_there():
    names = {path.name for path in METHODOLOGY_TRANSLATIONS_DIR.glob("*.yaml")}
    assert names == set(shipped_definitions())


@pytest.mark.parametrize("name", sorted(shipped_definitions()))
def test_a_methodology_file_translates_exactly_the_pieces_of_its_version(name):
    english = methodology_pieces(SimpleNamespace(definition=shipped_definitions()[name]))
    translations = shipped_translations(METHODOLOGY_TRANSLATIONS_DIR / name)
    assert set(translations) == set(LANGUAGES)
    for language in LANGUAGES:
        assert set(translations[language]) == set(english), f"{name} [{language}]"
    strays = list(glossary_strays(english, translations))
    assert not strays, f"{name} strays from the glossary:\n" + "\n".join(strays)


@pytest.mark.parametrize("slug", sorted(RELEASE_LOADERS))
def test_a_release_file_translates_its_name_and_description(slug):
    translations = shipped_translations(RELEASE_DIRECTORIES[slug] / RELEASE_TRANSLATIONS)
    assert set(translations) == set(LANGUAGES)
    for language in LANGUAGES:
        assert set(translations[language]) == {"name", "description"}
    assert set(RELEASE_DIRECTORIES) == set(RELEASE_LOADERS)


def test_a_file_with_another_language_or_an_empty_text_is_refused(tmp_path):
    path = tmp_path / "translations.yaml"
    path.write_text("de:\n  name: Daten\nfr:\n  name: ''\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as refused:
        shipped_translations(path)
    assert len(refused.value.errors) == 2


# --- loading --------------------------------------------------------------------------------


def shipped_objects() -> list:
    versions = [
        MethodologyVersion.objects.get(
            methodology__slug=definition["slug"], version=definition["version"]
        )
        for definition in shipped_definitions().values()
    ]
    return [*DataRelease.objects.filter(slug__in=RELEASE_LOADERS), *versions]


@pytest.mark.django_db
def test_after_the_shipped_load_every_piece_is_translated_and_loading_again_changes_nothing():
    demo_index_load()
    objects = shipped_objects()
    assert len(objects) == len(RELEASE_LOADERS) + len(SHIPPED)
    for obj in objects:
        assert_complete(obj)
    digests = {str(obj): getattr(obj, "digest", None) or obj.content_digest for obj in objects}
    rows = list(ContentTranslation.objects.order_by("pk").values_list("pk", "text", "updated_at"))
    entries = Entry.objects.count()

    demo_index_load()
    assert list(
        ContentTranslation.objects.order_by("pk").values_list("pk", "text", "updated_at")
    ) == (rows)
    assert Entry.objects.count() == entries
    for obj in shipped_objects():
        assert (getattr(obj, "digest", None) or obj.content_digest) == digests[str(obj)]


@pytest.mark.django_db
def test_a_translation_of_a_piece_the_content_lacks_is_refused():
    release = DataRelease.objects.get(slug="world-2026")
    assert set(release_pieces(release)) == {"name", "description"}
    with pytest.raises(DataLoadError):
        translations_store(release, {"fr": {"change_note": "Corrigé."}}, source="test")
    assert "change_note" not in stored(release).get("fr", {})
