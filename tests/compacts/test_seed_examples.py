"""`manage.py seed_examples`: labelled examples made through the services, once, never in
production; the demo data invents no member or compact."""

import io

import pytest
from django.core.management import CommandError, call_command

from compacts.indicator import commitment_rows
from compacts.models import Compact, Need, Offer, Organisation

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_examples", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    from django.contrib.auth import get_user_model

    return tuple(
        model.objects.count() for model in (get_user_model(), Organisation, Offer, Need, Compact)
    )


def test_the_demo_data_invents_no_members_or_compacts():
    call_command("load_demo_data", stdout=io.StringIO())
    assert not Organisation.objects.exists()
    assert not Compact.objects.exists()


def test_examples_are_labelled_made_through_the_services_and_made_once():
    out = seed()
    assert "Created 15 example objects" in out
    orgs = list(Organisation.objects.all())
    assert len(orgs) == 4
    assert all(org.example and org.name.startswith("Example: ") and org.verified for org in orgs)
    assert {org.country.iso3 for org in orgs} == {"DEU", "NOR", "NGA", "PER"}
    assert Offer.objects.published().count() == 2
    assert Need.objects.published().count() == 2
    assert all(o.title.startswith("Example: ") for o in [*Offer.objects.all(), *Need.objects.all()])
    compacts = {c.title: c for c in Compact.objects.all()}
    assert all(c.example for c in compacts.values())
    active = compacts["Example: Yoruba speech recognition on shared GPUs"]
    assert active.status == "active"
    assert active.transitions.filter(action="activate", actor__username="example-editor").exists()
    assert compacts["Example: Climate advice in Quechua"].status == "proposed"
    # invented compacts never count in the index
    assert commitment_rows() == []
    # a second run creates nothing and says so
    before = counts()
    assert seed().strip() == "Nothing new: the examples already exist."
    assert counts() == before


def test_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        seed()
    assert not Organisation.objects.exists()
