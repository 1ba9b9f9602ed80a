"""Who may write what through the API, as one table: every write, tried by every actor.

The actors are seen from the provider organisation: its owner, its plain member, an outsider
(owner of another organisation), an editor of the alliance, and an anonymous visitor. The
allowed ones succeed and change something; those allowed to act whom the rules refuse (a party
that would leave a proposed compact alone, a date reached written in, a confirmation after the
end) get 409 or 400; everyone else gets 401/403, or 404 where the target is hidden from them
(another organisation's drafts), and the database is unchanged.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from compacts import services
from compacts.api import urls as compacts_api_urls
from compacts.models import (
    Compact,
    Confirmation,
    Invitation,
    Membership,
    Milestone,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    ProgressReport,
    ProgressValue,
    Resource,
    Signature,
    Suggestion,
    Transition,
)
from compacts.suggestions import suggestions_recompute
from countries.models import Country
from registry.models import Entry
from tests.compacts.conftest import compact_ready, member_make, mistaken_organisation

ANONYMOUS, OUTSIDER, MEMBER, OWNER, EDITOR = "anonymous", "outsider", "member", "owner", "editor"
ACTORS = (ANONYMOUS, OUTSIDER, MEMBER, OWNER, EDITOR)
SIGNED_IN = frozenset({OUTSIDER, MEMBER, OWNER, EDITOR})
PROVIDER = frozenset({MEMBER, OWNER})

LISTING = {"domains": ["health"], "languages": ["sw"]}
OFFER = {**LISTING, "title": "Know-how", "kind": "know_how", "licence": "open_permissive"}
NEED = {**LISTING, "title": "Compute", "wants": ["compute"], "licences": ["open_permissive"]}
MATCHING_OFFER = {**OFFER, "kind": "compute", "amount": 10, "unit": "GPU-hours"}


def user_of(cast, actor: str):
    return {
        OUTSIDER: cast.outsider,
        MEMBER: cast.provider_member,
        OWNER: cast.provider_owner,
        EDITOR: cast.editor,
    }.get(actor)


def client_as(cast, actor: str) -> APIClient:
    client = APIClient()
    if actor != ANONYMOUS:
        client.force_authenticate(user_of(cast, actor))
    return client


# scenes: what exists before the write, made through the services -----------------------------


def organisation_scene(cast) -> dict:
    carol = member_make("carol@provider.example")
    Membership.objects.create(organisation=cast.provider, user=carol, role="member")
    return {"org": cast.provider.slug, "carol": carol.memberships.get().pk}


def mistake_scene(cast) -> dict:
    return {"org": mistaken_organisation(cast).slug}


def listings_scene(cast) -> dict:
    kenya = Country.objects.get(iso3="KEN")
    ids = {"org": cast.provider.slug}
    for kind, save, fields in (
        ("offer", services.offer_save, OFFER),
        ("need", services.need_save, {**NEED, "country": kenya}),
    ):
        draft = save(user=cast.provider_member, organisation=cast.provider, **fields)
        published = save(user=cast.provider_member, organisation=cast.provider, **fields)
        services.listing_publish(user=cast.provider_owner, listing=published)
        ids |= {f"draft_{kind}": draft.pk, f"published_{kind}": published.pk}
    return ids


def suggestion_scene(cast) -> dict:
    offer = services.offer_save(
        user=cast.provider_owner, organisation=cast.provider, **MATCHING_OFFER
    )
    services.listing_publish(user=cast.provider_owner, listing=offer)
    need = services.need_save(
        user=cast.steward_owner,
        organisation=cast.steward,
        country=Country.objects.get(iso3="KEN"),
        **NEED,
    )
    services.listing_publish(user=cast.steward_owner, listing=need)
    suggestions_recompute()
    return {"suggestion": Suggestion.objects.get(offer=offer, need=need).pk}


# how many of the lifecycle steps below each stage has taken
STAGES = {
    "draft": 0,
    "proposed": 1,
    "signed": 3,
    "under_review": 4,
    "active": 5,
    "reported": 5,
    "terminated": 5,
}


def compact_scene(stage: str) -> Callable[[object], dict]:
    """A compact between the provider and the steward, walked up to `stage`."""

    def make(cast) -> dict:
        compact = compact_ready(cast)
        provider = compact.parties.get(organisation=cast.provider)
        steward = compact.parties.get(organisation=cast.steward)
        services.compact_part_save(
            user=cast.steward_member,
            compact=compact,
            part="milestone",
            title="First model",
            due=timezone.localdate(),
        )
        steps = [
            (cast.provider_owner, "propose"),
            (cast.provider_owner, "sign"),
            (cast.steward_owner, "sign"),
            (cast.steward_owner, "submit"),
            (cast.editor, "activate"),
        ][: STAGES[stage]]
        for user, action in steps:
            compact = services.compact_transition(user=user, compact=compact, action=action)
        ids = {
            "compact": compact.pk,
            "revision": compact.revision,
            "provider_party": provider.pk,
            "steward_party": steward.pk,
            "resource": compact.resources.get(party=provider).pk,
            "steward_resource": compact.resources.get(party=steward).pk,
            "outcome": compact.outcomes.get().pk,
            "milestone": compact.milestones.get().pk,
        }
        if stage in ("reported", "terminated"):  # by a plain member: nobody confirmed it yet
            report = services.report_file(
                user=cast.steward_member,
                compact=compact,
                party=steward,
                period_end=timezone.localdate(),
                summary="Half-way.",
            )
            ids["report"] = report.pk
        if stage == "terminated":
            services.compact_transition(
                user=cast.editor, compact=compact, action="terminate", reason="Data misused."
            )
        return ids

    return make


SCENES = {
    "organisation": organisation_scene,
    "mistake": mistake_scene,
    "listings": listings_scene,
    "suggestion": suggestion_scene,
    **{stage: compact_scene(stage) for stage in STAGES},
}

WATCHED = (
    Organisation,
    Membership,
    Invitation,
    Offer,
    Need,
    Suggestion,
    Compact,
    Compact.countries.through,
    Party,
    Resource,
    Outcome,
    Milestone,
    Signature,
    Transition,
    ProgressReport,
    ProgressValue,
    Confirmation,
    Entry,
)


def database_state() -> dict:
    """Every row of every table a write could touch."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED}


# the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    name: str
    method: str
    path: str  # filled in from the scene's ids
    scene: str
    allowed: frozenset[str]
    hidden: frozenset[str] = frozenset()  # they cannot see the target: 404
    body: Callable[[dict], dict] = field(default=lambda ids: {})
    refused: frozenset[str] = frozenset()  # may act, but the rules say no: `refused_status`
    refused_status: int = 409


def _listing_writes(kind: str, create_body: dict) -> list[Write]:
    base = f"/api/v1/{kind}s/"
    return [
        Write(f"{kind} create", "post", base, "listings", PROVIDER, body=lambda ids: create_body),
        Write(
            f"draft {kind} replace",
            "put",
            base + f"{{draft_{kind}}}/",
            "listings",
            PROVIDER,
            hidden=frozenset({OUTSIDER, EDITOR}),
            body=lambda ids: {**create_body, "title": "Replaced"},
        ),
        Write(
            f"draft {kind} edit",
            "patch",
            base + f"{{draft_{kind}}}/",
            "listings",
            PROVIDER,
            hidden=frozenset({OUTSIDER, EDITOR}),
            body=lambda ids: {"title": "Changed"},
        ),
        Write(
            f"published {kind} edit",
            "patch",
            base + f"{{published_{kind}}}/",
            "listings",
            frozenset({OWNER}),  # what is public speaks for the organisation
            body=lambda ids: {"description": "Changed"},
        ),
        Write(
            f"{kind} publish",
            "post",
            base + f"{{draft_{kind}}}/publish/",
            "listings",
            frozenset({OWNER}),
            hidden=frozenset({OUTSIDER, EDITOR}),
        ),
        Write(
            f"{kind} withdraw",
            "post",
            base + f"{{published_{kind}}}/withdraw/",
            "listings",
            frozenset({OWNER}),
        ),
    ]


def _compact_write(name, method, path, stage, allowed, *, body=None, refused=(), status=409):
    """Drafts are hidden from everyone outside the parties; other stages before activation
    from outsiders only (editors review them); active compacts are public."""
    hidden = {
        "draft": {OUTSIDER, EDITOR},
        "proposed": {OUTSIDER},
        "signed": {OUTSIDER},
        "under_review": {OUTSIDER},
    }.get(stage, set())
    return Write(
        name,
        method,
        "/api/v1/compacts/{compact}/" + path,
        stage,
        frozenset(allowed),
        hidden=frozenset(hidden),
        body=body or (lambda ids: {}),
        refused=frozenset(refused),
        refused_status=status,
    )


def _part_writes(part: str, body: Callable[[dict], dict]) -> list[Write]:
    return [
        _compact_write(f"{part} add", "post", f"{part}s/", "draft", PROVIDER, body=body),
        _compact_write(f"{part} delete", "delete", f"{part}s/{{{part}}}/", "draft", PROVIDER),
    ]


REASON = {"reason": "Because."}
# the provider is not verified yet: only its members and editors see it, so to anyone else its
# address answers as if it did not exist
UNVERIFIED_HIDDEN = frozenset({OUTSIDER})

WRITES = [
    Write(
        "organisation create",
        "post",
        "/api/v1/organisations/",
        "organisation",
        SIGNED_IN,  # anyone signed in with a verified address
        body=lambda ids: {"name": "Another", "kind": "research", "country": "BRA"},
    ),
    Write(
        "organisation edit",
        "patch",
        "/api/v1/organisations/{org}/",
        "organisation",
        frozenset({OWNER}),
        hidden=UNVERIFIED_HIDDEN,
        body=lambda ids: {"description": "Changed"},
    ),
    Write(
        "organisation replace",
        "put",
        "/api/v1/organisations/{org}/",
        "organisation",
        frozenset({OWNER}),
        hidden=UNVERIFIED_HIDDEN,
        body=lambda ids: {"name": "Open Compute Co-op", "kind": "non_profit", "country": "DEU"},
    ),
    Write(
        "organisation verify",
        "post",
        "/api/v1/organisations/{org}/verify/",
        "organisation",
        frozenset({EDITOR}),
        hidden=UNVERIFIED_HIDDEN,
    ),
    Write(
        "invitation",
        "post",
        "/api/v1/organisations/{org}/invitations/",
        "organisation",
        frozenset({OWNER}),
        hidden=UNVERIFIED_HIDDEN,
        body=lambda ids: {"email": "dan@provider.example", "role": "owner"},
    ),
    Write(
        "organisation delete",
        "delete",
        "/api/v1/organisations/{org}/",
        "mistake",
        frozenset({OWNER}),  # unverified, not a member, nothing public: made by mistake
        hidden=frozenset({OUTSIDER}),  # nobody else sees it yet
    ),
    Write(
        "member remove",
        "delete",
        "/api/v1/organisations/{org}/members/{carol}/",
        "organisation",
        frozenset({OWNER}),
        hidden=UNVERIFIED_HIDDEN,
    ),
    *_listing_writes("offer", {**OFFER, "organisation": "open-compute-cooperative"}),
    *_listing_writes(
        "need", {**NEED, "country": "KEN", "organisation": "open-compute-cooperative"}
    ),
    Write(
        "suggestion start compact",
        "post",
        "/api/v1/suggestions/{suggestion}/start-compact/",
        "suggestion",
        PROVIDER,
        hidden=frozenset({OUTSIDER, EDITOR}),  # not a suggestion for their organisations
    ),
    Write(
        "compact create",
        "post",
        "/api/v1/compacts/",
        "organisation",
        PROVIDER,
        body=lambda ids: {"organisation": ids["org"], "role": "provider", "title": "New"},
    ),
    _compact_write(
        "compact edit", "patch", "", "draft", PROVIDER, body=lambda ids: {"title": "Changed"}
    ),
    _compact_write("propose", "post", "propose/", "draft", {OWNER}),
    _compact_write(
        "sign", "post", "sign/", "proposed", {OWNER}, body=lambda ids: {"revision": ids["revision"]}
    ),
    _compact_write("submit", "post", "submit/", "signed", {OWNER}),
    _compact_write("activate", "post", "activate/", "under_review", {EDITOR}),
    _compact_write("return", "post", "return/", "under_review", {EDITOR}, body=lambda i: REASON),
    _compact_write("complete", "post", "complete/", "active", {OWNER}, body=lambda i: REASON),
    _compact_write(
        "terminate", "post", "terminate/", "active", {OWNER, EDITOR}, body=lambda i: REASON
    ),
    _compact_write("withdraw", "post", "withdraw/", "draft", {OWNER}, body=lambda i: REASON),
    _compact_write("amend", "post", "amend/", "active", {OWNER}, body=lambda i: REASON),
    _compact_write(
        "party add",
        "post",
        "parties/",
        "draft",
        PROVIDER,
        body=lambda ids: {"organisation": "elsewhere-ltd", "role": "funder"},
    ),
    # a party is its own owner's to withdraw; another party's members cannot remove it
    _compact_write("party remove", "delete", "parties/{steward_party}/", "draft", ()),
    _compact_write("party withdraw", "delete", "parties/{provider_party}/", "draft", {OWNER}),
    _compact_write(
        "party withdraw leaving one",
        "delete",
        "parties/{provider_party}/",
        "proposed",
        (),
        refused={OWNER},
    ),
    _compact_write(
        "another party's resource delete", "delete", "resources/{steward_resource}/", "draft", ()
    ),
    _compact_write(
        "resource add for another party",
        "post",
        "resources/",
        "draft",
        (),
        body=lambda ids: {"party": ids["steward_party"], "kind": "model", "description": "ASR"},
    ),
    _compact_write(
        "milestone add already reached",
        "post",
        "milestones/",
        "draft",
        (),
        body=lambda ids: {"title": "Pilot", "due": "2027-01-01", "done_on": "2099-01-01"},
        refused=PROVIDER,
        status=400,
    ),
    _compact_write(
        "milestone done after the end",
        "post",
        "milestones/{milestone}/done/",
        "terminated",
        (),
        body=lambda ids: {"done_on": timezone.localdate().isoformat()},
        refused=PROVIDER,
    ),
    _compact_write(
        "report confirm after the end",
        "post",
        "reports/{report}/confirm/",
        "terminated",
        (),
        body=lambda ids: {"party": ids["provider_party"]},
        refused={OWNER},
    ),
    *_part_writes(
        "resource",
        lambda ids: {"party": ids["provider_party"], "kind": "model", "description": "ASR"},
    ),
    *_part_writes(
        "outcome",
        lambda ids: {"indicator": "Users", "baseline": 0, "target": 100, "due": "2027-01-01"},
    ),
    *_part_writes("milestone", lambda ids: {"title": "Pilot", "due": "2027-01-01"}),
    _compact_write(
        "milestone done",
        "post",
        "milestones/{milestone}/done/",
        "active",
        PROVIDER,
        body=lambda ids: {"done_on": timezone.localdate().isoformat()},
    ),
    _compact_write(
        "report file",
        "post",
        "reports/",
        "active",
        PROVIDER,
        body=lambda ids: {
            "party": ids["provider_party"],
            "period_end": timezone.localdate().isoformat(),
            "summary": "On track.",
        },
    ),
    _compact_write(
        "report confirm",
        "post",
        "reports/{report}/confirm/",
        "reported",
        {OWNER},
        body=lambda ids: {"party": ids["provider_party"]},
    ),
]


@pytest.mark.parametrize(
    ("write", "actor"),
    [pytest.param(w, a, id=f"{w.name}-{a}".replace(" ", "_")) for w in WRITES for a in ACTORS],
)
def test_write(cast, write: Write, actor: str):
    ids = SCENES[write.scene](cast)
    before = database_state()
    call = getattr(client_as(cast, actor), write.method)
    response = call(write.path.format(**ids), write.body(ids), format="json")
    if actor in write.allowed:
        assert response.status_code in (200, 201, 204), response.content
        assert database_state() != before
        return
    body = response.json()
    if actor == ANONYMOUS:
        assert response.status_code in (401, 403)
        assert body["code"] == "not_authenticated"
    elif actor in write.hidden:
        assert (response.status_code, body["code"]) == (404, "not_found"), body
    elif actor in write.refused:
        assert response.status_code == write.refused_status, body
        assert body["code"] not in ("permission_denied", "not_found"), body
    else:
        assert (response.status_code, body["code"]) == (403, "permission_denied"), body
        assert body["message"].startswith("Only "), body  # the service's words, not DRF's
    assert database_state() == before


def test_the_table_tries_every_write_endpoint():
    """A new write endpoint must join the table."""
    tried = set()
    for write in WRITES:
        view = resolve(write.path.format_map(defaultdict(lambda: "1"))).func
        tried.add((view.cls.__name__, view.actions[write.method]))
    endpoints = {
        (pattern.callback.cls.__name__, name)
        for pattern in compacts_api_urls.urlpatterns
        for method, name in pattern.callback.actions.items()
        if method not in ("get", "head", "options")
    }
    assert endpoints - tried == set()
    assert len(endpoints) > 30


# reads: another organisation's drafts look like ids that do not exist ------------------------


@dataclass(frozen=True)
class Read:
    name: str
    path: str
    scene: str
    visible: frozenset[str]
    listed_in: str = ""  # the list that must not show it to those who cannot see it
    key: str = ""


READS = [
    Read(
        "draft offer",
        "/api/v1/offers/{draft_offer}/",
        "listings",
        PROVIDER,
        "/api/v1/offers/",
        "draft_offer",
    ),
    Read(
        "draft need",
        "/api/v1/needs/{draft_need}/",
        "listings",
        PROVIDER,
        "/api/v1/needs/",
        "draft_need",
    ),
    Read(
        "published offer",
        "/api/v1/offers/{published_offer}/",
        "listings",
        frozenset(ACTORS),
        "/api/v1/offers/",
        "published_offer",
    ),
    Read(
        "draft compact",
        "/api/v1/compacts/{compact}/",
        "draft",
        PROVIDER,
        "/api/v1/compacts/",
        "compact",
    ),
    Read(
        "proposed compact",
        "/api/v1/compacts/{compact}/",
        "proposed",
        PROVIDER | {EDITOR},
        "/api/v1/compacts/",
        "compact",
    ),
    Read(
        "active compact",
        "/api/v1/compacts/{compact}/",
        "active",
        frozenset(ACTORS),
        "/api/v1/compacts/",
        "compact",
    ),
    Read("members", "/api/v1/organisations/{org}/members/", "organisation", PROVIDER | {EDITOR}),
]


@pytest.mark.parametrize(
    ("read", "actor"),
    [pytest.param(r, a, id=f"{r.name}-{a}".replace(" ", "_")) for r in READS for a in ACTORS],
)
def test_read(cast, read: Read, actor: str):
    ids = SCENES[read.scene](cast)
    client = client_as(cast, actor)
    response = client.get(read.path.format(**ids))
    assert response.status_code == (200 if actor in read.visible else 404), response.content
    if read.listed_in:
        listed = {row["id"] for row in client.get(read.listed_in, {"limit": 500}).json()["results"]}
        assert (ids[read.key] in listed) is (actor in read.visible)


@pytest.mark.parametrize("actor", ACTORS)
def test_suggestions_are_only_for_the_organisations_concerned(cast, actor):
    ids = suggestion_scene(cast)
    response = client_as(cast, actor).get("/api/v1/suggestions/")
    if actor == ANONYMOUS:
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"
        return
    listed = [s["id"] for s in response.json()["results"]]
    assert (ids["suggestion"] in listed) is (actor in PROVIDER)
    detail = client_as(cast, actor).get(f"/api/v1/suggestions/{ids['suggestion']}/")
    assert detail.status_code == (200 if actor in PROVIDER else 404)
