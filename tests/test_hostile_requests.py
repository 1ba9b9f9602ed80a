"""No input gives a server error. Every URL pattern of the site (the admin's included) and
every operation of the API schema is requested with hostile values in each place a client
controls: path parameters (overflows, negatives, unicode, control and bidi characters), each
documented query parameter and a few undeclared ones, and for writes, bodies that are deeply
nested, of the wrong type or shape, with overflowing numbers, control characters or not JSON at
all; anonymously, as a member of an organisation with compacts, and as an editor. Any 5xx is
reported with the request that caused it and the exception it raised."""

import io
import json
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from drf_spectacular.generators import SchemaGenerator

from compacts.models import (
    Compact,
    Invitation,
    Membership,
    Milestone,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    ProgressReport,
    Resource,
    Suggestion,
)
from compacts.suggestions import suggestions_recompute
from countries.models import DataRelease, Indicator, MethodologyVersion, ScoreSet
from registry.models import Concern

pytestmark = pytest.mark.django_db

JSON = "application/json"
HUGE = "99999999999999999999999"
PATH_VALUES = [HUGE, str(2**63), "-1", "1e19", "é\u202e", "\r\n", "\x00", "x" * 300, "'\"<>"]
QUERY_VALUES = [HUGE, "-1e19", "\x00", "\r\nX-Injected: 1", "é\u202e\u2066", "2026-02-30", "1,2"]
# the admin reads ids and lookups: fewer values, as its pages are the slowest to render
ADMIN_VALUES = [HUGE, "1e19", "\x00", "é\u202e"]
# parameters no operation declares, and those the site reads on some pages
UNDECLARED = ["zzz", "format", "as_of", "methodology", "score_set"]
PAGE_PARAMS = [
    *UNDECLARED,
    "limit",
    "offset",
    "page",
    "q",
    "country",
    "region",
    "income_group",
    "classification",
    "sort",
    "field",
    "event",
    "since",
    "until",
    "start",
    "before",
    "status",
    "domain",
    "kind",
    "verified",
    "ordering",
    "next",
    "release",
    "lang",
]
FIELD_VALUES = [2**70, 1e308, "\x00", "line\r\nbreak\u202e", [], {}, None]
FORM_VALUES = [HUGE, "\x00", "a\r\nb\u202e", "2026-02-30"]
FORM_FIELDS = [
    "title",
    "name",
    "summary",
    "description",
    "email",
    "role",
    "kind",
    "country",
    "organisation",
    "party",
    "amount",
    "unit",
    "baseline",
    "target",
    "due",
    "done_on",
    "period_end",
    "reason",
    "revision",
    "domains",
    "languages",
    "website",
    "text",
    "file",
    "public_key",
    "leaf_index",
]


@dataclass
class Walk:
    client: Client
    who: str
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    last_exception: list = field(default_factory=list)

    def send(self, method: str, url: str, what: str = "", **kwargs) -> int:
        self.requests += 1
        self.last_exception.clear()
        response = getattr(self.client, method)(url, **kwargs)
        # a 503 with Retry-After is a designed answer ("not ready, come back"), e.g. the
        # readiness probe while no worker has reported; any other 5xx is a server error
        designed = response.status_code == 503 and response.has_header("Retry-After")
        if response.status_code >= 500 and not designed:
            cause = self.last_exception[0] if self.last_exception else "no exception"
            self.failures.append(
                f"{self.who} {method.upper()} {url[:200]!r} {what} -> {response.status_code}: "
                f"{cause}"
            )
        return response.status_code


@pytest.fixture
def world(db):
    """The shipped data, the labelled examples (organisations, listings, compacts) and their
    suggestions."""
    call_command("seed_examples", stdout=io.StringIO())
    suggestions_recompute()
    return Organisation.objects.get(memberships__user__username="example-compute")


def signed_in(who: str) -> Client:
    client = Client(raise_request_exception=False)
    if who == "member":
        client.force_login(get_user_model().objects.get(username="example-compute"))
    elif who == "editor":
        editor = get_user_model().objects.get(username="example-editor")
        editor.groups.add(*Group.objects.all())  # every desk role: data, compacts, registry
        client.force_login(editor)
    return client


def first_pk(model, **filters) -> str:
    found = model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return str(found or 1)


def real_values(org: Organisation) -> dict[str, str]:
    """A value that exists for each kind of path parameter, so a hostile value in one place
    meets real objects in the others."""
    compact = Compact.objects.filter(parties__organisation=org).order_by("pk").first()
    version = MethodologyVersion.objects.published().order_by("pk").first()
    return {
        "compact": str(compact.pk),
        "party": first_pk(Party, compact=compact),
        "resource": first_pk(Resource, compact=compact),
        "outcome": first_pk(Outcome, compact=compact),
        "milestone": first_pk(Milestone, compact=compact),
        "report": first_pk(ProgressReport, compact=compact),
        "offer": first_pk(Offer, organisation=org),
        "need": first_pk(Need),
        "suggestion": first_pk(Suggestion),
        "invitation": first_pk(Invitation),
        "membership": first_pk(Membership, organisation=org),
        "concern": first_pk(Concern),
        "organisation": org.slug,
        "release": DataRelease.objects.published().order_by("pk").first().slug,
        "methodology": version.methodology.slug,
        "version": version.version,
        "methodology_digest": version.digest,
        "score_set": ScoreSet.objects.order_by("pk").first().digest,
        "indicator": Indicator.objects.order_by("pk").first().code,
        "iso3": "KEN",
    }


# --- the API, operation by operation, from its schema ----------------------------------------


def api_operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, {**operation, "components": schema["components"]})
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def api_path_value(path: str, name: str, real: dict) -> str:
    if name in ("id", "pk"):
        for kind in ("compact", "offer", "need", "suggestion"):
            if f"/{kind}s/" in path:
                return real[kind]
    if name == "slug":
        return real["organisation"] if "/organisations/" in path else real["release"]
    if name == "digest":
        return real["score_set"] if "/score-sets/" in path else real["methodology_digest"]
    if name == "part_id":
        segments = path.split("/")
        return real[segments[segments.index("{part_id}") - 1].rstrip("s")]
    return {
        "party_id": real["party"],
        "report_id": real["report"],
        "membership_id": real["membership"],
        "iso3": real["iso3"],
        "code": real["indicator"],
    }.get(name, "1")


def fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template


def request_properties(operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {})
    schema = (content.get("application/json") or {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = operation["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema.get("properties", {})


def plausible(spec: dict):
    """A well-formed value of a property's type, so that one hostile field meets valid ones."""
    kind = spec.get("type")
    if "enum" in spec:
        return spec["enum"][0]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if spec.get("format") == "date":
        return "2026-01-01"
    if spec.get("format") == "email":
        return "someone@example.org"
    if spec.get("format") == "uri":
        return "https://example.org"
    return "A plain text"


def walk_api(walk: Walk, real: dict) -> None:
    for path, method, operation in api_operations():
        params = operation.get("parameters", [])
        in_path = {
            p["name"]: api_path_value(path, p["name"], real) for p in params if p["in"] == "path"
        }
        url = fill(path, in_path)
        for name in in_path:
            for value in PATH_VALUES:
                walk.send(method, fill(path, {**in_path, name: value}), f"[path {name}]")
        if method == "get":
            declared = [p["name"] for p in params if p["in"] == "query"]
            for value in QUERY_VALUES:
                for name in declared:
                    walk.send(method, f"{url}?{urlencode({name: value})}", f"[query {name}]")
                undeclared = urlencode(dict.fromkeys(UNDECLARED, value))
                walk.send(method, f"{url}?{undeclared}", "[undeclared query]")
            continue
        if method not in ("post", "put", "patch"):
            walk.send(method, url)
            continue
        properties = request_properties(operation)
        base = {name: plausible(spec) for name, spec in properties.items()}
        status = walk.send(method, url, "[plausible body]", data=base, content_type=JSON)
        if status in (401, 403, 404, 405):
            continue  # refused before the body is read: its fields cannot matter
        for name in properties:
            for value in FIELD_VALUES:
                body = json.dumps({**base, name: value})
                walk.send(method, url, f"[body {name}={value!r:.40}]", data=body, content_type=JSON)
        for what, body, content_type in [
            ("deep JSON", "[" * 3000 + "]" * 3000, "application/json"),
            ("deep object", '{"a":' * 3000 + "1" + "}" * 3000, "application/json"),
            ("not JSON", "{not json", "application/json"),
            ("a list", "[1, 2]", "application/json"),
            ("a string", '"text"', "application/json"),
            ("bad UTF-8", b"\xff\xfe{", "application/json"),
            (
                "form",
                urlencode({n: "\x00" for n in properties} or {"x": "\x00"}),
                "application/x-www-form-urlencoded",
            ),
            ("text", "hello", "text/plain"),
        ]:
            walk.send(method, url, f"[{what}]", data=body, content_type=content_type)


# --- every other URL pattern, the admin's included ------------------------------------------


def url_patterns(resolver=None, namespace: str = "", prefix: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry, inner, prefix + str(entry.pattern))
        else:
            yield namespace, entry, prefix + str(entry.pattern)


def page_path_value(name: str, param: str, real: dict) -> str:
    if param == "pk":
        for kind in ("report", "suggestion", "invitation", "offer", "need", "concern"):
            if kind in name:
                return real[kind]
        return real["membership"] if name == "member-remove" else real["compact"]
    if param == "slug":
        return real["methodology"] if name == "file" else real["organisation"]
    return {
        "party": real["party"],
        "item": real["milestone"] if "milestone" in name else real["resource"],
        "part": "resource",
        "action": "sign",
        "leaf_index": "0",
        "iso3": real["iso3"],
        "version": real["version"],
        "name": "map",
        "fmt": "json",
        "format": "json",
        "app_label": "compacts",
        "object_id": real["compact"],
        "content_type_id": "1",
    }.get(param, "1")


def page_url(namespace: str, pattern: URLPattern, kwargs: dict) -> str | None:
    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
    if not pattern.name:
        return None
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def walk_pages(walk: Walk, real: dict) -> None:
    for namespace, pattern, route in url_patterns():
        if route.startswith(("api/v1/", "^api/v1/")):
            continue  # the schema walk covers the API's operations
        params = list(pattern.pattern.regex.groupindex)
        real_kwargs = {p: page_path_value(pattern.name or "", p, real) for p in params}
        url = page_url(namespace, pattern, real_kwargs)
        if url is None:
            if params:
                continue
            url = "/" + route.lstrip("^").rstrip("$")
        admin = namespace == "admin"
        if admin and walk.who != "editor":
            walk.send("get", url, "[admin]")  # the login page: nothing is read before it
            continue
        for param in params:
            for value in ADMIN_VALUES if admin else PATH_VALUES:
                hostile = page_url(namespace, pattern, {**real_kwargs, param: value})
                if hostile:
                    walk.send("get", hostile, f"[path {param}]")
        if admin:
            if not params:  # the index and the lists read the query string
                for value in ADMIN_VALUES:
                    walk.send("get", f"{url}?{urlencode(dict.fromkeys(PAGE_PARAMS, value))}")
            continue
        for value in QUERY_VALUES:
            walk.send("get", f"{url}?{urlencode(dict.fromkeys(PAGE_PARAMS, value))}", "[query]")
        walk.send("options", url)
        for value in FORM_VALUES:
            walk.send("post", url, f"[form {value!r:.20}]", data=dict.fromkeys(FORM_FIELDS, value))


@pytest.mark.parametrize("who", ["anonymous", "member", "editor"])
def test_no_request_gives_a_server_error(world, who):
    real = real_values(world)
    walk = Walk(signed_in(who), who)

    def record(sender, request=None, **kwargs):
        kind, exc, _ = sys.exc_info()
        walk.last_exception.append(f"{kind.__name__}: {str(exc)[:200]}" if kind else "?")

    got_request_exception.connect(record)
    started = time.monotonic()
    try:
        walk_api(walk, real)
        walk_pages(walk, real)
    finally:
        got_request_exception.disconnect(record)
    took = time.monotonic() - started
    print(f"{who}: {walk.requests} requests in {took:.1f} s")  # shown with -s
    assert walk.requests > 2000
    assert not walk.failures, f"{len(walk.failures)} server errors:\n" + "\n".join(
        walk.failures[:60]
    )
