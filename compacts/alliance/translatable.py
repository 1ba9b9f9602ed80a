"""The pieces of the principles an editor can translate (aimai_site/content.py): each
principle's title and text, and the version's note. The English version is the one members
endorse and the registry's digest covers; a translation is a reader's aid."""

from aimai_site.content import translatable


def principles_pieces(principles) -> dict[str, str]:
    pieces = {}
    for number, principle in enumerate(principles.principles or [], start=1):
        pieces[f"principles.{number}.title"] = str(principle.get("title", ""))
        pieces[f"principles.{number}.text"] = str(principle.get("text", ""))
    if principles.note:
        pieces["note"] = principles.note
    return {name: text for name, text in pieces.items() if text}


def register() -> None:
    from compacts.alliance.models import Principles

    translatable(Principles, principles_pieces)
