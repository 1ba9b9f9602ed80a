"""Every publication elsewhere in the platform becomes a log entry, in the same transaction."""

from registry.services import Event, registry_append


def publication_append(sender, publication, **kwargs) -> None:
    registry_append(
        [
            Event(
                event=f"{publication.kind}.published",
                identifier=publication.identifier,
                url=publication.url,
                digest=publication.digest,
                note_digest=publication.note_digest,
            )
        ]
    )
