"""The pieces of countries' content an editor can translate (aimai_site/content.py): a data
release's name and notes, a methodology version's texts and each indicator's rationale. The
shipped releases and methodologies come with their translations, in YAML files beside them."""

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from aimai_site.content import english_pieces, translatable
from aimai_site.languages import DEFAULT_LANGUAGE
from aimai_site.models import ContentTranslation
from countries.current import public_content_changed
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_parse
from countries.loaders import DataLoadError
from countries.public_index import rationales

METHODOLOGY_TEXTS = ("title", "description", "difference", "changes")


def _one_paragraph(text) -> str:
    return " ".join(str(text).split())


def release_pieces(release) -> dict[str, str]:
    pieces = {"name": release.name, "description": release.description}
    if release.change_note:
        pieces["change_note"] = release.change_note
    return {name: text for name, text in pieces.items() if text}


def methodology_pieces(version) -> dict[str, str]:
    definition = version.definition or {}
    pieces = {
        name: _one_paragraph(definition[name]) for name in METHODOLOGY_TEXTS if definition.get(name)
    }
    try:
        parsed = methodology_parse(definition)
    except MethodologyError:  # a draft that does not read yet has no rationales to translate
        return pieces
    pieces.update({f"rationale.{code}": text for code, text in rationales(parsed).items()})
    return pieces


# one file per shipped methodology version, named <slug>-<version>.yaml
METHODOLOGY_TRANSLATIONS_DIR = Path(__file__).resolve().parent / "methodologies" / "translations"
# in each shipped release's directory, beside release.toml
RELEASE_TRANSLATIONS = "translations.yaml"


def shipped_translations(path: Path) -> dict[str, dict[str, str]]:
    """A shipped translations file: {language: {piece: text}}, in the site's languages other
    than English; anything else is a DataLoadError naming the file."""
    languages = {code for code, _name in settings.LANGUAGES} - {DEFAULT_LANGUAGE}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    errors = []
    if not isinstance(data, dict):
        errors.append(f"{path.name}: a mapping of language to pieces is expected")
        data = {}
    for language, pieces in data.items():
        if language not in languages:
            errors.append(f"{path.name}: {language!r} is not one of {sorted(languages)}")
        elif not isinstance(pieces, dict) or not all(
            isinstance(text, str) and text.strip() for text in pieces.values()
        ):
            errors.append(f"{path.name}: {language} needs a text for each piece")
    if errors:
        raise DataLoadError(errors)
    return {
        language: {str(f): t.strip() for f, t in pieces.items()}
        for language, pieces in data.items()
    }


def translations_store(obj, translations: dict[str, dict[str, str]], *, source: str) -> int:
    """Store the translations of `obj`'s pieces that have none yet (an editor's translation is
    never overwritten, so loading again changes nothing); returns how many were added. A piece
    `obj` does not have is refused: the file was written for other content."""
    pieces = english_pieces(obj)
    unknown = sorted(
        f"{source}: {language} {field}: {obj} has no such piece"
        for language, texts in translations.items()
        for field in texts
        if field not in pieces
    )
    if unknown:
        raise DataLoadError(unknown)
    content_type = ContentType.objects.get_for_model(obj)
    stored = set(
        ContentTranslation.objects.filter(content_type=content_type, object_id=obj.pk).values_list(
            "language", "field"
        )
    )
    added = [
        ContentTranslation(
            content_type=content_type, object_id=obj.pk, field=field, language=language, text=text
        )
        for language, texts in translations.items()
        for field, text in texts.items()
        if (language, field) not in stored
    ]
    if added:
        ContentTranslation.objects.bulk_create(added)
        public_content_changed()  # cached pages in those languages showed the English
    return len(added)


def methodology_translations_path(version) -> Path:
    return METHODOLOGY_TRANSLATIONS_DIR / f"{version.methodology.slug}-{version.version}.yaml"


def shipped_translations_load(version) -> int:
    """The shipped translations of a methodology version's texts, if the repository has them."""
    path = methodology_translations_path(version)
    if not path.exists():
        return 0
    return translations_store(version, shipped_translations(path), source=path.name)


def release_translations_load(release, directory: Path) -> int:
    """The shipped translations of a release's name and notes, from its directory."""
    path = directory / RELEASE_TRANSLATIONS
    if not path.exists():
        return 0
    return translations_store(release, shipped_translations(path), source=path.name)


def register() -> None:
    from countries.models import DataRelease, MethodologyVersion

    translatable(DataRelease, release_pieces)
    translatable(MethodologyVersion, methodology_pieces)
