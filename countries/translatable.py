"""The pieces of countries' content an editor can translate (aimai_site/content.py): a data
release's name and notes, a methodology version's texts and each indicator's rationale."""

from aimai_site.content import translatable
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_parse
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


def register() -> None:
    from countries.models import DataRelease, MethodologyVersion

    translatable(DataRelease, release_pieces)
    translatable(MethodologyVersion, methodology_pieces)
