"""The what-if explorer (/methodology/explore/): its numbers are the engine's for any weighting,
the published methodology gives the published scores, a refused state says why and changes
nothing, its file is a valid methodology of the same digest, its URL is its state, and a
variant asked for twice is computed once."""

import copy
import random
from html.parser import HTMLParser

import pytest
import yaml
from django.core.cache import cache

from countries.explore import cache_key
from countries.index.bundle import inputs_observations
from countries.index.engine import compute
from countries.index.reading import methodology_load, methodology_parse
from countries.models import Score, ScoreSet
from countries.scoring import score_set_inputs
from countries.selectors import score_set_resolve
from countries.whatif import definition_digest

pytestmark = pytest.mark.django_db

RESULTS = "/methodology/explore/results.json"
PAGE = "/methodology/explore/"
FILE = "/methodology/explore/methodology.yaml"
WEIGHTINGS = 50


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        score_set = ScoreSet.objects.get(pk=score_set_resolve().pk)
        return score_set, score_set_inputs(score_set)


def _leaves(group: dict):
    yield from group.get("indicators", [])
    for child in group.get("groups", []):
        yield from _leaves(child)


def _random_state(rng: random.Random, base: dict) -> list[tuple[str, str]]:
    """A weighting a visitor could make: dimension weights (0 and negative ones included),
    indicator weights, indicators left out, scales, aggregations and thresholds."""
    state = []
    weights = base["index"]["weights"]
    chosen = {}
    for name in base["dimensions"]:
        if rng.random() < 0.6:
            pick = rng.random()
            if pick < 0.15:
                chosen[name] = 0.0
            elif name == "burden" or pick < 0.45:
                chosen[name] = round(rng.uniform(-3, -0.1), 2)
            else:
                chosen[name] = round(rng.uniform(0.1, 3), 2)
    if not any({**weights, **chosen}.values()):
        chosen["solidarity"] = 1.0
    state += [(f"d.{name}", repr(value)) for name, value in chosen.items()]
    for name, group in base["dimensions"].items():
        specs = list(_leaves(group))
        off = [spec["code"] for spec in specs if rng.random() < 0.12][: len(specs) - 1]
        for spec in specs:
            code = spec["code"]
            if code in off:
                state.append(("off", code))
                continue
            if rng.random() < 0.3:
                state.append((f"w.{code}", repr(round(rng.uniform(0.1, 4), 2))))
            if rng.random() < 0.15:
                scales = ["minmax", "zscore", "percentile"]
                if spec.get("goalposts"):
                    scales.append("goalposts")
                state.append((f"n.{code}", rng.choice(scales)))
        if rng.random() < 0.25:
            state.append((f"g.{name}", rng.choice(["arithmetic", "geometric"])))
    if rng.random() < 0.4:
        bridger = round(rng.uniform(-5, 30), 1)
        state += [
            ("bridger", repr(bridger)),
            ("divider", repr(round(bridger - 1 - rng.uniform(0, 30), 1))),
        ]
    return state


def _applied(base: dict, state: list[tuple[str, str]]) -> dict:
    """The state applied to the base here, without the explorer's code: what it must compute."""
    definition = copy.deepcopy(base)
    index = definition["index"]
    specs = {
        spec["code"]: spec for group in definition["dimensions"].values() for spec in _leaves(group)
    }
    changed = False
    off = set()
    for key, value in state:
        kind, _, name = key.partition(".")
        if key == "off":
            off.add(value)
            changed = True
        elif key in ("bridger", "divider"):
            field = "bridger_min" if key == "bridger" else "divider_max"
            if float(value) != index[field]:
                index[field] = float(value)
                changed = True
        elif kind == "d":
            if float(value) != index["weights"][name]:
                index["weights"][name] = float(value)
                changed = True
        elif kind == "w":
            if float(value) != specs[name]["weight"]:
                specs[name]["weight"] = float(value)
                changed = True
        elif kind == "n":
            if value != specs[name].get("normalisation", "minmax"):
                specs[name]["normalisation"] = value
                changed = True
        elif kind == "g":
            if value != definition["dimensions"][name].get("aggregation", "arithmetic"):
                definition["dimensions"][name]["aggregation"] = value
                changed = True
    for group in definition["dimensions"].values():
        group["indicators"] = [spec for spec in group["indicators"] if spec["code"] not in off]
    if changed:
        definition["version"] += "-variant"
    return definition


def _engine(definition: dict, inputs: dict) -> dict:
    regions = inputs["regions"]
    result = compute(
        methodology_parse(definition),
        inputs_observations(inputs),
        regions.keys(),
        regions,
        sensitivity=False,
    )
    return {s.country: s for s in result.scores}


def test_random_weightings_give_the_engines_numbers(client, published):
    score_set, inputs = published
    base = inputs["methodology"]
    assert all("groups" not in group for group in base["dimensions"].values())  # _applied's view
    rng = random.Random(20261206)  # noqa: S311 (seeded weightings, not secrets)
    moved_some, score_sets = 0, ScoreSet.objects.count()
    for _ in range(WEIGHTINGS):
        state = _random_state(rng, base)
        response = client.get(RESULTS, state)
        assert response.status_code == 200, (state, response.content[:400])
        data = response.json()
        definition = _applied(base, state)
        assert data["not_published"] is True
        assert data["variant"]["digest"] == definition_digest(definition), state
        engine = _engine(definition, inputs)
        assert len(data["countries"]) == len(engine) > 150
        for row in data["countries"]:
            expected = engine[row["country"]]
            assert row["rank"] == expected.rank, (state, row)
            assert row["classification"] == expected.classification, (state, row)
            if expected.aimai is None:
                assert row["aimai"] is None
            else:
                assert round(row["aimai"], 9) == round(expected.aimai, 9), (state, row)
        moved_some += data["moved"] > 0
        # its shortest URL is the same variant
        again = client.get(f"{RESULTS}?{data['variant']['query']}").json()
        assert again["variant"]["digest"] == data["variant"]["digest"]
    assert moved_some > WEIGHTINGS / 2  # the weightings really are different ones
    assert ScoreSet.objects.count() == score_sets


def test_the_published_methodology_gives_the_stored_scores(client, published):
    score_set, _ = published
    data = client.get(RESULTS).json()
    assert data["score_set"] == score_set.digest
    assert data["variant"]["digest"] == data["base"]["digest"]
    assert data["variant"]["changes"] == []
    assert data["moved"] == 0
    assert data["movers"] == []
    stored = {
        score.country.iso3: score
        for score in Score.objects.filter(score_set=score_set).select_related("country")
    }
    assert {row["country"] for row in data["countries"]} == set(stored)
    for row in data["countries"]:
        score = stored[row["country"]]
        assert row["rank"] == score.rank == row["published_rank"]
        assert row["classification"] == score.classification == row["published_class"]
        if score.aimai is None:
            assert row["aimai"] is None
        else:
            assert row["aimai"] == round(score.aimai, 9) == row["published_aimai"]
        assert row["name"] == score.country.name


def test_a_variant_is_never_stored_as_a_score_set(client, published):
    score_sets, scores = ScoreSet.objects.count(), Score.objects.count()
    for state in ({"d.burden": "0"}, {"off": "oda_gni", "bridger": "3"}):
        assert client.get(RESULTS, state).status_code == 200
        assert client.get(PAGE, state).status_code == 200
        assert client.get(FILE, state).status_code == 200
    assert (ScoreSet.objects.count(), Score.objects.count()) == (score_sets, scores)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"d.nowhere": "1"}, "no dimension “nowhere”"),
        ({"w.NOPE": "2"}, "no indicator “NOPE”"),
        ({"d.burden": "heavy"}, "is not a number"),
        ({"w.oda_gni": "0"}, "must be above 0"),
        ({"n.oda_gni": "rank"}, "is not one of"),
        ({"g.capability": "median"}, "is not one of"),
        ({"colour": "red"}, "not a setting of the explorer"),
        ({"bridger": "-20"}, "bridger_min"),  # below the divider: the validator's message
        ({"d.capability": "0", "d.solidarity": "0", "d.burden": "0"}, "non-zero weight"),
    ],
)
def test_a_refused_state_says_why_and_changes_nothing(client, published, state, message):
    score_set, inputs = published
    score_sets = ScoreSet.objects.count()
    data = client.get(RESULTS, state)
    assert data.status_code == 400
    body = data.json()
    assert body["detail"]
    assert any(message in error for error in body["errors"]), body
    page = client.get(PAGE, state)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert 'role="alert"' in page.content.decode()
    assert client.get(FILE, state).status_code == 400
    assert ScoreSet.objects.count() == score_sets
    would_be = _applied(inputs["methodology"], list(state.items())) if "bridger" in state else None
    if would_be is not None:  # a definition the validator refuses is never scored nor cached
        assert cache.get(cache_key(score_set.digest, definition_digest(would_be))) is None


def test_the_downloaded_file_is_a_valid_methodology_of_the_variants_digest(client, published):
    state = {"d.burden": "0", "off": "oda_gni", "w.gdp_pc_ppp": "2.5", "n.fsi_total": "zscore"}
    data = client.get(RESULTS, state).json()
    response = client.get(FILE, state)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    assert text.startswith("# Not published: a what-if variant computed from score set ")
    assert "Indicator oda_gni removed from solidarity." in text
    assert f"/methodology/explore/?{data['variant']['query']}" in text
    parsed = methodology_load(text)  # the schema and the validator accept it
    assert parsed.version == data["variant"]["version"] == "2.0-variant"
    assert definition_digest(yaml.safe_load(text)) == data["variant"]["digest"]
    assert parsed.index_weights["burden"] == 0
    assert "oda_gni" not in {spec.code for spec in parsed.indicators()}


class _Form(HTMLParser):
    """The page's form values and table rows, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.values, self.checked, self.selected = {}, set(), {}
        self.rows, self._select, self._row, self._cell = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.checked.add(attrs["value"])
            else:
                self.values[attrs["name"]] = attrs.get("value")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and "selected" in attrs and self._select:
            self.selected[self._select] = attrs["value"]
        elif tag == "tr" and attrs.get("data-country"):
            self._row = [attrs["data-country"]]
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


def _read(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def test_the_page_is_labelled_not_published_everywhere(client, published):
    score_set, _ = published
    html = client.get(PAGE, {"d.burden": "0"}).content.decode()
    label = f"Not published: a what-if variant computed from score set {score_set.digest[:12]}"
    assert html.count(label) >= 3  # the banner, the chart's title and the table's caption
    assert 'id="explore-label"' in html
    assert "<caption>" + label in html
    assert 'src="/static/js/explore.js"' in html


def test_a_shared_url_shows_the_same_state_and_numbers(client, published):
    query = "d.burden=0&off=oda_gni&n.fsi_total=zscore&w.gdp_pc_ppp=2.5&g.solidarity=geometric"
    data = client.get(f"{RESULTS}?{query}").json()
    assert data["variant"]["query"] == query  # already the shortest form, in the page's order
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    page = _read(response.content.decode())
    assert page.values["d.burden"] == "0"
    assert page.values["d.capability"] == "-1.5"  # the base's, unchanged
    assert page.values["w.gdp_pc_ppp"] == "2.5"
    assert page.checked == {"oda_gni"}
    assert page.selected["n.fsi_total"] == "zscore"
    assert page.selected["g.solidarity"] == "geometric"
    shown = {row[0]: row for row in page.rows}
    for row in data["countries"]:
        rank, name, published_rank, _, aimai, published_aimai, label, _ = shown[row["country"]][1:]
        assert rank == (str(row["rank"]) if row["rank"] is not None else "—")
        assert name == row["name"]
        assert aimai == row["aimai_text"]
        assert label == row["class_label"]
    shared = f"/methodology/explore/?{query}".replace("&", "&amp;")
    assert shared in response.content.decode()  # the link to share


def test_a_full_form_is_sent_to_its_shortest_address(client, published):
    _, inputs = published
    form = _read(client.get(PAGE).content.decode())
    submitted = dict(form.values) | dict(form.selected)
    assert len(submitted) > 30  # every control of the page
    response = client.get(PAGE, submitted)
    assert response.status_code == 302
    assert response["Location"] == PAGE  # nothing changed
    response = client.get(PAGE, submitted | {"d.burden": "0", "off": "oda_gni"})
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?d.burden=0&off=oda_gni"


def test_a_variant_asked_twice_is_computed_once(client, published, django_assert_max_num_queries):
    score_set, inputs = published
    state = {"d.solidarity": "2.25", "off": "spi_overall"}
    first = client.get(RESULTS, state)
    assert first["X-Explore-Cache"] == "miss"
    digest = first.json()["variant"]["digest"]
    assert cache.get(cache_key(score_set.digest, digest)) is not None
    with django_assert_max_num_queries(2):  # which score set is current; no engine, no inputs
        second = client.get(RESULTS, state)
    assert second["X-Explore-Cache"] == "hit"
    assert second.json() == first.json()
    assert client.get(PAGE, state)["X-Explore-Cache"] == "hit"


def test_the_methodology_page_links_to_the_explorer(client):
    html = client.get("/methodology/").content.decode()
    assert 'href="/methodology/explore/"' in html
    assert "Try another weighting in the explorer" in html
