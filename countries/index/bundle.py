"""Score sets as documents: canonical inputs and outputs, their digests, and the bundle file.

A bundle is a zip file anyone can download and recompute with `python -m
countries.index.reproduce BUNDLE`:

    manifest.json     what it is: methodology, data release, digests, code version
    methodology.yaml  the methodology file exactly as published
    methodology.json  the same definition read into plain data (what the digest covers)
    inputs.json       {"methodology": {...}, "observations": [[ISO3, indicator, year, value], ...],
                      "regions": {ISO3: region}}: exactly what was used, rows sorted
    outputs.json      every country's scores, contributions and provenance

Digests (SHA-256; canonical JSON as in digest.py):
    inputs_digest  = H(canonical JSON of {"methodology": definition, "regions": {...},
                         "countries": [sorted ISO3s of the rows], "indicators": [sorted codes],
                         "rows": n}
                       ‖ the rows, sorted by (country, indicator, year), as four little-endian
                         columns: country index (uint32), indicator index (uint32),
                         year (int32), value (IEEE 754 float64))
    outputs_digest = H(canonical JSON of the outputs)
    digest         = H(canonical JSON of {"inputs": inputs_digest, "outputs": outputs_digest}),
                     the score set's public name.
The rows are hashed in binary so that hundreds of thousands of them cost milliseconds, and
each value exactly as stored, not as printed.
Numbers in the outputs are rounded to 9 decimal places, far below any published precision, so
that the last bit of a floating-point sum on another machine cannot change a digest.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from countries.index import ENGINE_VERSION
from countries.index.digest import canonical_json, sha256_hex
from countries.index.engine import Observation, Result, compute
from countries.index.methodology import DIMENSIONS, Methodology
from countries.index.reading import methodology_parse

BUNDLE_FORMAT = "aimai-score-bundle/1"
DECIMALS = 9


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS) + 0.0  # no -0.0


def inputs_document(
    definition: dict, observations: list[Observation], regions: dict[str, str]
) -> dict[str, Any]:
    """The inputs as a document: observation rows as [country, indicator, year, value],
    sorted (compact: a score set may use hundreds of thousands of them)."""
    return {
        "methodology": definition,
        "observations": sorted(list(row) for row in observations),
        "regions": dict(sorted(regions.items())),
    }


def inputs_observations(inputs: dict) -> list[Observation]:
    return [Observation(*row) for row in inputs["observations"]]


def outputs_document(result: Result) -> dict[str, Any]:
    """Every country's scores as plain data. An index with other dimensions than AIMAI's three
    adds each country's `dimensions` {name: score}; an AIMAI-shaped one is left exactly as it
    always was, so that the digests of stored score sets hold."""
    scores = []
    for s in result.scores:
        other = set(s.dimensions) != set(DIMENSIONS)
        scores.append(
            {
                "country": s.country,
                "capability": _round(s.capability),
                "solidarity": _round(s.solidarity),
                "burden": _round(s.burden),
                "aimai": _round(s.aimai),
                "aimai_without_imputation": _round(s.aimai_without_imputation),
                "rank": s.rank,
                "rank_interval": list(s.rank_interval) if s.rank_interval else None,
                "median_rank": s.median_rank,
                "classification": s.classification,
                "concentrated": s.concentrated,
                "coverage": _round(s.coverage),
                "observed_weight": _round(s.observed_weight),
                "median_age": _round(s.median_age),
                "confidence": s.confidence,
                "imputed": list(s.imputed),
                "provenance": s.provenance,
                "values": s.values,
                "normalised": {code: _round(v) for code, v in s.normalised.items()},
                **(
                    {"dimensions": {name: _round(v) for name, v in s.dimensions.items()}}
                    if other
                    else {}
                ),
            }
        )
    contributions = {
        country: {
            part: {code: _round(value) for code, value in values.items()}
            for part, values in parts.items()
        }
        for country, parts in result.contributions.items()
    }
    return {
        "reference_year": result.reference_year,
        "indicators": list(result.indicators),
        "scores": scores,
        "contributions": contributions,
    }


@dataclass(frozen=True)
class Digests:
    inputs: str
    outputs: str
    digest: str


def inputs_digest(
    definition: dict, observations: Sequence[Sequence], regions: dict[str, str]
) -> str:
    """The digest of the inputs (see the module docstring); rows in any order."""
    n = len(observations)
    countries, country = _codes(map(itemgetter(0), observations), n)
    indicators, indicator = _codes(map(itemgetter(1), observations), n)
    year = np.fromiter(map(itemgetter(2), observations), np.int64, n)
    value = np.fromiter(map(itemgetter(3), observations), np.float64, n)
    order = np.lexsort((year, indicator, country))
    header = {
        "methodology": definition,
        "regions": regions,
        "countries": countries,
        "indicators": indicators,
        "rows": n,
    }
    h = hashlib.sha256(canonical_json(header))
    h.update(country[order].astype("<u4").tobytes())
    h.update(indicator[order].astype("<u4").tobytes())
    h.update(year[order].astype("<i4").tobytes())
    h.update(value[order].astype("<f8").tobytes())
    return h.hexdigest()


def _codes(texts, n: int) -> tuple[list[str], np.ndarray]:
    """The sorted distinct texts, and each text's position among them."""
    texts = list(texts)
    table = sorted(set(texts))
    position = {text: i for i, text in enumerate(table)}
    return table, np.fromiter(map(position.__getitem__, texts), np.int64, n)


def document_digest(inputs: dict) -> str:
    """The inputs digest of an inputs document (as found in a bundle)."""
    return inputs_digest(inputs["methodology"], inputs["observations"], inputs["regions"])


def digests(inputs: dict | str, outputs: dict) -> Digests:
    """The three digests; `inputs` may be given as its digest, to hash a large document once."""
    of_inputs = inputs if isinstance(inputs, str) else document_digest(inputs)
    of_outputs = sha256_hex(canonical_json(outputs))
    return Digests(inputs=of_inputs, outputs=of_outputs, digest=set_digest(of_inputs, of_outputs))


def set_digest(of_inputs: str, of_outputs: str) -> str:
    """The score set's public name, from the digests of its inputs and outputs."""
    return sha256_hex(canonical_json({"inputs": of_inputs, "outputs": of_outputs}))


def recompute(inputs: dict) -> dict:
    """The outputs document computed again from an inputs document, and nothing else."""
    methodology: Methodology = methodology_parse(inputs["methodology"])
    regions = inputs["regions"]
    return outputs_document(
        compute(methodology, inputs_observations(inputs), regions.keys(), regions)
    )


def bundle_write(*, manifest: dict, source: str, inputs: dict, outputs: bytes) -> bytes:
    """The bundle's bytes; `outputs` is the outputs document's canonical JSON, as hashed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = {"format": BUNDLE_FORMAT, "engine_version": ENGINE_VERSION, **manifest}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        archive.writestr("methodology.yaml", source)
        archive.writestr("methodology.json", json.dumps(inputs["methodology"], indent=2))
        archive.writestr("inputs.json", canonical_json(inputs))
        archive.writestr("outputs.json", outputs)
    return buffer.getvalue()


@dataclass(frozen=True)
class Bundle:
    manifest: dict
    source: str  # methodology.yaml
    definition: dict  # methodology.json
    inputs: dict
    outputs: dict


def bundle_read(data: bytes | str) -> Bundle:
    """A bundle's parts, from its bytes or its path."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as archive:
        return Bundle(
            manifest=json.loads(archive.read("manifest.json")),
            source=archive.read("methodology.yaml").decode("utf-8"),
            definition=json.loads(archive.read("methodology.json")),
            inputs=json.loads(archive.read("inputs.json")),
            outputs=json.loads(archive.read("outputs.json")),
        )
