"""The index pages' "Last updated" line and their closing "Cite and verify" section, from the
score set a page shows."""

from django import template

from countries.citation import PLATFORM_LICENCE, score_set_citation

register = template.Library()


@register.inclusion_tag("includes/last_updated.html")
def last_updated(score_set) -> dict:
    """When the score set a page shows was published; nothing before there is one."""
    return {"score_set": score_set}


@register.inclusion_tag("includes/cite_verify.html")
def cite_and_verify(score_set) -> dict:
    """The technical proof behind a page's numbers: the digests, the bundle, how to recompute
    it, and how to cite it."""
    return {
        "score_set": score_set,
        "citation": score_set_citation(score_set) if score_set else None,
        "licence": PLATFORM_LICENCE,
    }
