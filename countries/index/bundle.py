"""Score sets as documents: canonical inputs and outputs, their digests, and the bundle file.

A bundle is a zip file anyone can download and recompute with `python -m
countries.index.reproduce BUNDLE`:

    manifest.json     what it is: methodology, data release, digests, code version
    methodology.yaml  the methodology file exactly as published
    methodology.json  the same definition read into plain data (what the digest covers)
    inputs.json       {"observations": [...], "regions": {ISO3: region}}: exactly what was used
    outputs.json      every country's scores, contributions and provenance

Digests (SHA-256 over canonical JSON, see digest.py):
    inputs_digest  = H({"methodology": definition, "observations": [...], "regions": {...}})
    outputs_digest = H(outputs)
    digest         = H({"inputs": inputs_digest, "outputs": outputs_digest}), the public name.
Numbers in the outputs are rounded to 9 decimal places, far below any published precision, so
that the last bit of a floating-point sum on another machine cannot change a digest.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from countries.index import ENGINE_VERSION
from countries.index.digest import canonical_json, sha256_hex
from countries.index.engine import Observation, Result, compute
from countries.index.methodology import Methodology, methodology_parse

BUNDLE_FORMAT = "aimai-score-bundle/1"
DECIMALS = 9


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS) + 0.0  # no -0.0


def inputs_document(
    definition: dict, observations: list[Observation], regions: dict[str, str]
) -> dict[str, Any]:
    rows = sorted(
        {(o.country, o.indicator, o.year, o.value) for o in observations},
    )
    return {
        "methodology": definition,
        "observations": [
            {"country": c, "indicator": i, "year": y, "value": v} for c, i, y, v in rows
        ],
        "regions": dict(sorted(regions.items())),
    }


def outputs_document(result: Result) -> dict[str, Any]:
    scores = []
    for s in result.scores:
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


def digests(inputs: dict, outputs: dict) -> Digests:
    inputs_digest = sha256_hex(canonical_json(inputs))
    outputs_digest = sha256_hex(canonical_json(outputs))
    return Digests(
        inputs=inputs_digest,
        outputs=outputs_digest,
        digest=sha256_hex(canonical_json({"inputs": inputs_digest, "outputs": outputs_digest})),
    )


def recompute(inputs: dict) -> dict:
    """The outputs document computed again from an inputs document, and nothing else."""
    methodology: Methodology = methodology_parse(inputs["methodology"])
    observations = [
        Observation(o["country"], o["indicator"], o["year"], o["value"])
        for o in inputs["observations"]
    ]
    regions = inputs["regions"]
    return outputs_document(compute(methodology, observations, regions.keys(), regions))


def bundle_write(*, manifest: dict, source: str, inputs: dict, outputs: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = {"format": BUNDLE_FORMAT, "engine_version": ENGINE_VERSION, **manifest}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        archive.writestr("methodology.yaml", source)
        archive.writestr("methodology.json", json.dumps(inputs["methodology"], indent=2))
        archive.writestr("inputs.json", canonical_json(inputs))
        archive.writestr("outputs.json", canonical_json(outputs))
    return buffer.getvalue()


def bundle_read(data: bytes | str) -> tuple[dict, dict, dict]:
    """(manifest, inputs, outputs) from a bundle's bytes or path."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        inputs = json.loads(archive.read("inputs.json"))
        outputs = json.loads(archive.read("outputs.json"))
    return manifest, inputs, outputs
