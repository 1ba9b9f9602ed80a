"""A published release is frozen by the database itself, whatever path the write takes."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from aimai_site.errors import DomainError
from countries.choices import ReleaseStatus
from countries.models import Country, DataRelease, Indicator, Observation
from countries.services import (
    RELEASE_ALREADY_PUBLISHED,
    RELEASE_EMPTY,
    data_release_digest,
    data_release_publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return DataRelease.objects.get(slug="demo-2026-11")


@pytest.fixture
def draft():
    release = DataRelease.objects.create(slug="draft", name="Draft", release_date="2026-11-21")
    Observation.objects.create(
        release=release,
        country=Country.objects.get(iso3="KEN"),
        indicator=Indicator.objects.get(code="internet_users"),
        year=2023,
        value=40.8,
        source_url="https://example.org/itu",
        provenance="test",
    )
    return release


def refused(write) -> str:
    """Run `write` in its own savepoint and return the database's refusal message."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        write()
    return str(excinfo.value)


def test_observation_of_published_release_cannot_be_updated(published):
    obs = published.observations.first()
    obs.value += 1
    assert "published and frozen" in refused(obs.save)
    assert "published and frozen" in refused(
        lambda: Observation.objects.filter(release=published).update(value=0)
    )


def test_raw_sql_cannot_change_a_published_release(published):
    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE countries_observation SET value = 0 WHERE release_id = %s", [published.pk]
            )

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM countries_datarelease WHERE id = %s", [published.pk])

    assert "published and frozen" in refused(raw_update)
    assert "published and frozen" in refused(raw_delete)


def test_observation_of_published_release_cannot_be_deleted_or_added(published):
    obs = published.observations.select_related("country", "indicator").first()
    assert "published and frozen" in refused(obs.delete)
    assert "published and frozen" in refused(
        lambda: Observation.objects.create(
            release=published,
            country=obs.country,
            indicator=obs.indicator,
            year=obs.year - 1,
            value=1,
            source_url="https://example.org",
            provenance="test",
        )
    )


def test_published_release_row_cannot_be_changed(published):
    published.name = "Renamed"
    assert "published and frozen" in refused(published.save)
    assert "published and frozen" in refused(
        lambda: DataRelease.objects.filter(pk=published.pk).update(status=ReleaseStatus.DRAFT)
    )


def test_published_release_needs_a_date_and_digest():
    assert "published_release_has_date_and_digest" in refused(
        lambda: DataRelease.objects.create(
            slug="x", name="x", release_date="2026-01-01", status=ReleaseStatus.PUBLISHED
        )
    )


def test_draft_release_can_be_edited(draft):
    obs = draft.observations.get()
    obs.value = 41.0
    obs.save()
    draft.name = "Draft, renamed"
    draft.save()
    assert draft.observations.get().value == 41.0


def test_publishing_fixes_the_digest_and_freezes_the_draft(draft):
    # when
    release = data_release_publish(release=draft)
    # then
    assert release.status == ReleaseStatus.PUBLISHED
    assert release.published_at <= timezone.now()
    assert release.content_digest == data_release_digest(release=release)
    assert len(release.content_digest) == 64
    obs = release.observations.get()
    obs.value = 1
    assert "published and frozen" in refused(obs.save)


def test_publishing_twice_is_refused(published):
    with pytest.raises(DomainError) as excinfo:
        data_release_publish(release=published)
    assert excinfo.value.message == RELEASE_ALREADY_PUBLISHED.format(slug="demo-2026-11")


def test_an_empty_release_cannot_be_published():
    empty = DataRelease.objects.create(slug="empty", name="Empty", release_date="2026-11-21")
    with pytest.raises(DomainError) as excinfo:
        data_release_publish(release=empty)
    assert excinfo.value.message == RELEASE_EMPTY.format(slug="empty")
    empty.refresh_from_db()
    assert empty.status == ReleaseStatus.DRAFT


def test_editors_group_has_exactly_the_curation_permissions():
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        "view_country",
        "change_country",
        "view_indicator",
        "add_indicator",
        "change_indicator",
        "delete_indicator",
        "view_datarelease",
        "add_datarelease",
        "change_datarelease",
        "delete_datarelease",
        "view_observation",
        "add_observation",
        "change_observation",
        "delete_observation",
        "view_dataimport",
        "add_dataimport",
        "change_dataimport",
        "view_importmapping",
        "add_importmapping",
        "change_importmapping",
        "delete_importmapping",
        "view_methodology",
        "add_methodology",
        "change_methodology",
        "view_methodologyversion",
        "add_methodologyversion",
        "change_methodologyversion",
        "delete_methodologyversion",
        "publish_methodologyversion",
        "view_scoreset",
        "view_score",
        "view_entry",
        "view_treehead",
        "view_witness",
        "add_witness",
        "change_witness",
        "view_concern",
        "change_concern",
        # members' organisations and compacts: verify, review, and read what they review
        "verify_organisation",
        "view_organisation",
        "change_organisation",
        "review_compact",
        "view_compact",
        "view_offer",
        "view_need",
        # the alliance: decide on memberships, publish the principles, read both
        "decide_membership",
        "publish_principles",
        "view_alliancemembership",
        "view_principles",
        "view_endorsement",
        "add_oversightrole",
        "change_oversightrole",
        "view_oversightrole",
        # regional clusters: decide on proposed ones, read them and their members
        "decide_cluster",
        "view_cluster",
        "view_clustermember",
        # the public consultation on the methodology: decide on proposals, read them
        "decide_methodologyproposal",
        "view_methodologyproposal",
        "view_proposalcomment",
        "view_proposalsupport",
    }


def test_the_meaning_of_a_published_indicator_is_frozen():
    indicator = Indicator.objects.get(code="gai_total")
    for field, value in [
        ("code", "gai_total_v2"),
        ("unit", "points"),
        ("direction", "higher_is_less"),
    ]:
        assert "frozen" in refused(
            lambda f=field, v=value: Indicator.objects.filter(pk=indicator.pk).update(**{f: v})
        )
    # its wording may still be improved
    Indicator.objects.filter(pk=indicator.pk).update(name="Tortoise Global AI Index (total)")


def test_an_unused_indicator_can_still_change():
    spare = Indicator.objects.create(
        code="spare",
        name="Spare",
        dimension="burden",
        direction="higher_is_more",
        unit="x",
        description="d",
        source_organisation="o",
        source_url="https://example.org",
        licence="l",
    )
    Indicator.objects.filter(pk=spare.pk).update(code="spare2", unit="y")
    assert Indicator.objects.get(pk=spare.pk).code == "spare2"


def test_a_correction_starts_as_a_complete_copy(published):
    from countries.services import data_release_draft_from

    draft = data_release_draft_from(
        source=published,
        slug="demo-fix",
        name="Fix",
        release_date="2026-11-22",
        change_note="Australia's ODA/GNI as revised by the OECD.",
    )
    assert draft.status == ReleaseStatus.DRAFT
    assert draft.corrects == published
    assert draft.observations.count() == published.observations.count() == 2531
    obs = draft.observations.get(country__iso3="AUS", indicator__code="oda_gni")
    obs.value = 0.2
    obs.save()  # drafts can be corrected
    published_again = data_release_publish(release=draft)
    assert published_again.content_digest != published.content_digest
    assert DataRelease.objects.current() == published_again
    with pytest.raises(DomainError, match="already exists"):
        data_release_draft_from(
            source=published, slug="demo-fix", name="x", release_date="2026-11-22"
        )
