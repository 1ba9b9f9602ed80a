"""The founding principles in French, Spanish and Arabic (compacts/alliance/
principles_translations.py), stored as content translations of version 1 while its text is
still the founding one. A translation an editor has already written is kept; undoing removes
only the rows that still hold the shipped text."""

from django.db import migrations

from compacts.alliance.principles import FOUNDING, FOUNDING_NOTE
from compacts.alliance.principles_translations import FOUNDING_TRANSLATIONS


def _founding_version(apps):
    """Version 1 and its content type, or (None, None) when it is not the founding text."""
    Principles = apps.get_model("compacts", "Principles")
    founding = Principles.objects.filter(version=1).first()
    if founding is None or founding.principles != FOUNDING:
        return None, None
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="compacts", model="principles")
    return founding, content_type


def _translations(founding):
    """The shipped pieces that apply: the note only where it is still the founding note."""
    for language, pieces in FOUNDING_TRANSLATIONS.items():
        for field, text in pieces.items():
            if field != "note" or founding.note == FOUNDING_NOTE:
                yield language, field, text


def store_translations(apps, schema_editor):
    founding, content_type = _founding_version(apps)
    if founding is None:
        return
    ContentTranslation = apps.get_model("aimai_site", "ContentTranslation")
    for language, field, text in _translations(founding):
        ContentTranslation.objects.get_or_create(
            content_type=content_type,
            object_id=founding.pk,
            field=field,
            language=language,
            defaults={"text": text},
        )


def remove_translations(apps, schema_editor):
    founding, content_type = _founding_version(apps)
    if founding is None:
        return
    ContentTranslation = apps.get_model("aimai_site", "ContentTranslation")
    for language, field, text in _translations(founding):
        ContentTranslation.objects.filter(
            content_type=content_type,
            object_id=founding.pk,
            field=field,
            language=language,
            text=text,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0011_methodology_consultation"),
        ("aimai_site", "0005_content_translation"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(store_translations, remove_translations)]
