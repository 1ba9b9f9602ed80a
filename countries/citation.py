"""How to cite what the platform publishes, and under which licence.

A score set and a data release never change, so each has a permanent address and a citation
that names it by its digest: plain text, BibTeX and CSL-JSON. The platform's own outputs
(scores, charts, downloads, the API) are under CC BY 4.0; each source's figures keep the
licence its publisher gives them, as recorded on the indicator.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse

from countries.models import DataRelease, Indicator, ScoreSet

PUBLISHER = "AI4NATIONS"
INDEX_NAME = "AI Mutual Aid Index (AIMAI)"


@dataclass(frozen=True)
class Licence:
    name: str
    title: str
    url: str


PLATFORM_LICENCE = Licence(
    name="CC BY 4.0",
    title="Creative Commons Attribution 4.0 International",
    url="https://creativecommons.org/licenses/by/4.0/",
)

CITE_FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class Citation:
    """One citable, unchanging object: a score set or a data release."""

    key: str  # the BibTeX key and CSL id
    title: str
    issued: date
    version: str
    url: str  # its permanent address
    identifier: str  # what names its content: a SHA-256 digest
    note: str

    @property
    def text(self) -> str:
        return (
            f"{PUBLISHER} ({self.issued.year}). {self.title} [Data set]. Version: {self.version}. "
            f"{self.note} Licence: {PLATFORM_LICENCE.name}. {self.url}"
        )

    @property
    def source_line(self) -> str:
        """The one line a chart or a file carries: who, what, under which licence, where."""
        return (
            f"Source: {PUBLISHER}, {INDEX_NAME}, {self.version} "
            f"({PLATFORM_LICENCE.name}). Cite: {self.url}"
        )

    @property
    def bibtex(self) -> str:
        fields = [
            ("author", f"{{{PUBLISHER}}}"),
            ("title", _latex(self.title)),
            ("year", str(self.issued.year)),
            ("month", str(self.issued.month)),
            ("publisher", _latex(PUBLISHER)),
            ("version", _latex(self.version)),
            ("note", _latex(f"{self.note} Licence: {PLATFORM_LICENCE.name}.")),
            ("url", self.url),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}\n"

    @property
    def csl(self) -> list[dict]:
        return [
            {
                "id": self.key,
                "type": "dataset",
                "title": self.title,
                "author": [{"literal": PUBLISHER}],
                "publisher": PUBLISHER,
                "issued": {"date-parts": [[self.issued.year, self.issued.month, self.issued.day]]},
                "version": self.version,
                "URL": self.url,
                "note": self.note,
                "license": f"{PLATFORM_LICENCE.name} ({PLATFORM_LICENCE.url})",
            }
        ]

    def render(self, fmt: str) -> str:
        """The citation as a file: txt, bib or json (CSL-JSON)."""
        if fmt == "bib":
            return self.bibtex
        if fmt == "json":
            return json.dumps(self.csl, ensure_ascii=False, indent=1) + "\n"
        return self.text + "\n"

    def as_dict(self) -> dict:
        """What a download carries about itself."""
        return {
            "text": self.text,
            "url": self.url,
            "bibtex": f"{self.url}cite.bib",
            "csl_json": f"{self.url}cite.json",
        }


LATEX_SPECIAL = re.compile(r"([\\{}%&#$_^~])")


def _latex(text: str) -> str:
    """Text safe inside a BibTeX field: its special characters escaped."""
    return LATEX_SPECIAL.sub(
        lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(
            m.group(1), "\\" + m.group(1)
        ),
        text,
    )


def score_set_citation(score_set: ScoreSet) -> Citation:
    """A score set's citation: its methodology version and data release, named by its digest;
    issued when it was computed."""
    version = score_set.methodology_version
    release = score_set.release
    return Citation(
        key=f"ai4nations-aimai-{score_set.digest[:12]}",
        title=f"{INDEX_NAME}: {version.methodology.title}, scores on {release.name}",
        issued=score_set.created_at.date(),
        version=f"methodology {version.methodology.slug} {version.version}, "
        f"data release {release.slug}",
        url=absolute(reverse("score-set", kwargs={"digest": score_set.digest})),
        identifier=score_set.digest,
        note=f"Score set SHA-256 {score_set.digest}.",
    )


def release_citation(release: DataRelease) -> Citation:
    """A published data release's citation, named by its content digest."""
    issued = release.published_at.date() if release.published_at else release.release_date
    return Citation(
        key=f"ai4nations-release-{release.slug}",
        title=f"{INDEX_NAME}: {release.name} (data release)",
        issued=issued,
        version=f"data release {release.slug}",
        url=absolute(reverse("release", kwargs={"slug": release.slug})),
        identifier=release.content_digest,
        note=f"Observations SHA-256 {release.content_digest}.",
    )


@dataclass(frozen=True)
class SourceLicence:
    """One indicator's figures and the licence their publisher gives them, as recorded."""

    code: str
    name: str
    dimension: str
    organisation: str
    source_url: str
    copy_url: str
    licence: str


def source_licences() -> list[SourceLicence]:
    """Every imported indicator's source and licence, by source then indicator."""
    rows = Indicator.objects.order_by("source_organisation", "name").values_list(
        "code",
        "name",
        "dimension",
        "source_organisation",
        "source_url",
        "copy_url",
        "licence",
    )
    return [SourceLicence(*row) for row in rows]


def licences_by_indicator() -> dict[str, str]:
    """Each indicator's recorded licence by code: what a row of observations carries."""
    return dict(Indicator.objects.values_list("code", "licence"))
