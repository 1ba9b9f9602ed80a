"""About the index, its licence, and how to cite it: the permanent page and citation files of
every score set and data release. Thin views over countries.citation and the selectors."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from aimai_site.content import texts_of
from aimai_site.errors import InvalidInput, NotFoundError
from aimai_site.exports import attachment_header
from aimai_site.rendered import Rendered, rendered_known, rendered_response
from countries.citation import (
    CITE_FORMATS,
    PLATFORM_LICENCE,
    release_citation,
    score_set_citation,
    source_licences,
)
from countries.current import current_pointer
from countries.models import DataRelease, ScoreSet
from countries.selectors import HEX64, headline_coverage, score_set_resolve, score_set_rows
from countries.views import public_page


def _headline_set() -> ScoreSet | None:
    try:
        return score_set_resolve()
    except NotFoundError:
        return None


@public_page
def about_view(request: HttpRequest) -> HttpResponse:
    coverage = headline_coverage()
    context = {"coverage": coverage, "score_set": coverage.score_set if coverage else None}
    return render(request, "countries/about.html", context)


@public_page
def licence_view(request: HttpRequest) -> HttpResponse:
    context = {
        "licence": PLATFORM_LICENCE,
        "sources": source_licences(),
        "score_set": _headline_set(),
    }
    return render(request, "countries/licence.html", context)


@public_page
def cite_view(request: HttpRequest) -> HttpResponse:
    score_set = _headline_set()
    context = {
        "score_set": score_set,
        "citation": score_set_citation(score_set) if score_set else None,
        "licence": PLATFORM_LICENCE,
    }
    return render(request, "countries/cite.html", context)


def _digest_checked(digest: str) -> str:
    if not HEX64.fullmatch(digest):
        raise InvalidInput(_("A score set digest is 64 lowercase hex digits."), field="digest")
    return digest


def score_set_view(request: HttpRequest, digest: str) -> HttpResponse:
    """A score set's permanent page: its own numbers, never the current set's. A malformed
    digest is refused before a page is looked up (no cache key holds arbitrary text)."""
    return _score_set_page(request, _digest_checked(digest))


@public_page
def _score_set_page(request: HttpRequest, digest: str) -> HttpResponse:
    score_set = score_set_resolve(digest=digest)
    context = {
        "score_set": score_set,
        "rows": score_set_rows(score_set),
        "citation": score_set_citation(score_set),
        "licence": PLATFORM_LICENCE,
        "is_current": digest in current_pointer().digests.values(),
    }
    return render(request, "countries/score_set.html", context)


def _cite_file(request, *, kind: str, digest: str, params: dict, citation, name: str):
    fmt = params["fmt"]
    response = rendered_response(
        request,
        kind=kind,
        digest=digest,
        params=params,
        render=lambda: Rendered(citation().render(fmt).encode(), CITE_FORMATS[fmt]),
        immutable=True,  # the address names an object that never changes
    )
    if response.status_code == 200:
        response["Content-Disposition"] = attachment_header(f"{name}.{fmt}", inline=True)
    return response


def score_set_cite_view(request: HttpRequest, digest: str, fmt: str) -> HttpResponse:
    """A score set's citation as a file; a cached one answers without a query."""
    _digest_checked(digest)
    kind = "cite:score-set"
    if not rendered_known(request, kind=kind, digest=digest, params={"fmt": fmt}):
        if not ScoreSet.objects.filter(digest=digest).exists():
            raise NotFoundError(_("No score set with digest %(digest)s.") % {"digest": digest})
    return _cite_file(
        request,
        kind=kind,
        digest=digest,
        params={"fmt": fmt},
        citation=lambda: score_set_citation(score_set_resolve(digest=digest)),
        name=f"aimai-score-set-{digest[:12]}",
    )


def _published_release(slug: str) -> DataRelease:
    return get_object_or_404(DataRelease.objects.published(), slug=slug)


@public_page
def release_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A published data release's permanent page: what it holds and the score sets computed
    on it, each with its own permanent page."""
    release = _published_release(slug)
    score_sets = list(
        ScoreSet.objects.filter(release=release)
        .select_related("methodology_version__methodology")
        .defer("inputs", "outputs_json")
        .order_by("methodology_version__methodology__slug", "-created_at", "-pk")
    )
    context = {
        "release": release,
        "texts": texts_of(release),
        "observation_count": release.observations.count(),
        "score_sets": score_sets,
        "citation": release_citation(release),
        "licence": PLATFORM_LICENCE,
        "score_set": _headline_set(),
    }
    return render(request, "countries/release_detail.html", context)


def release_cite_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    release = _published_release(slug)
    return _cite_file(
        request,
        kind="cite:release",
        digest=release.content_digest,
        params={"fmt": fmt, "slug": slug},  # two releases may hold the same observations
        citation=lambda: release_citation(release),
        name=f"aimai-release-{slug}",
    )
