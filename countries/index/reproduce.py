"""Recompute a score release bundle and say whether the result is identical.

    python -m countries.index.reproduce aimai-scores-<digest>.zip

Needs only this engine and its dependencies (numpy), not the site or its database. Checks the
inputs against the inputs digest in the manifest, recomputes every score from them, and prints
"identical" or exactly which values differ. Exit status: 0 identical, 1 different, 2 unreadable.
"""

from __future__ import annotations

import argparse
import sys
import zipfile

from countries.index.bundle import Bundle, bundle_read, digests, recompute
from countries.index.digest import canonical_json, sha256_hex


def _differences(expected, actual, path="") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(expected.keys() | actual.keys(), key=str):
            if key not in actual:
                found.append(f"{path}{key}: in the bundle, missing when recomputed")
            elif key not in expected:
                found.append(f"{path}{key}: missing in the bundle, recomputed {actual[key]!r}")
            else:
                found += _differences(expected[key], actual[key], f"{path}{key}.")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path.rstrip('.')}: {len(expected)} items in the bundle, {len(actual)} now"]
        found = []
        for i, (a, b) in enumerate(zip(expected, actual, strict=True)):
            label = a.get("country", i) if isinstance(a, dict) else i
            found += _differences(a, b, f"{path}{label}.")
        return found
    if expected != actual:
        return [f"{path.rstrip('.')}: bundle {expected!r}, recomputed {actual!r}"]
    return []


def _consistency(bundle: Bundle) -> list[str]:
    """What in the bundle contradicts itself, apart from the numbers."""
    import yaml

    problems = []
    definition = bundle.inputs.get("methodology", {})
    stated = bundle.manifest.get("methodology", {})
    if yaml.safe_load(bundle.source) != definition:
        problems.append("methodology.yaml is not the methodology that was scored (inputs.json)")
    if bundle.definition != definition:
        problems.append("methodology.json is not the methodology that was scored (inputs.json)")
    if stated.get("digest") != sha256_hex(canonical_json(definition)):
        problems.append("the manifest's methodology digest is not the digest of the methodology")
    for key in ("slug", "version"):
        if stated.get(key) != definition.get(key):
            problems.append(
                f"the manifest's methodology {key} {stated.get(key)!r} is not the "
                f"methodology's {definition.get(key)!r}"
            )
    return problems


def reproduce(path_or_bytes) -> tuple[bool, list[str]]:
    """(identical, report lines) for a bundle given as bytes or a path."""
    bundle = bundle_read(path_or_bytes)
    manifest, inputs, outputs = bundle.manifest, bundle.inputs, bundle.outputs
    stated = manifest.get("score_set", {})
    problems = _consistency(bundle)
    given = digests(inputs, outputs)
    if given.inputs != stated.get("inputs_digest"):
        problems.append(
            f"the inputs' digest is {given.inputs}, not the manifest's "
            f"{stated.get('inputs_digest')}: the inputs in this bundle were altered "
            "(the differences below are what the altered inputs change)"
        )
    recomputed = recompute(inputs)
    again = digests(inputs, recomputed)
    if again.digest != stated.get("digest") and given.inputs == stated.get("inputs_digest"):
        if again.outputs == stated.get("outputs_digest"):
            problems.append(
                f"the manifest names score set {stated.get('digest')}, but these inputs and "
                f"outputs make score set {again.digest}"
            )
    report = [
        f"methodology {manifest['methodology']['slug']} {manifest['methodology']['version']}",
        f"data release {manifest['release']['slug']}",
        f"inputs digest  {given.inputs} (manifest: {stated.get('inputs_digest')})",
        f"outputs digest {again.outputs} (manifest: {stated.get('outputs_digest')})",
    ]
    differences = _differences(outputs, recomputed)
    if again.outputs != stated.get("outputs_digest") and not differences:
        differences = ["the outputs in the bundle do not match the manifest's outputs digest"]
    if not problems and not differences:
        report.append(f"identical: score set {again.digest}")
        return True, report
    report.append(f"DIFFERENT: {len(problems) + len(differences)} problem(s)")
    report += [f"  {line}" for line in problems + differences]
    return False, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m countries.index.reproduce", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("bundle", help="a score release bundle (.zip) downloaded from the site")
    args = parser.parse_args(argv)
    try:
        identical, report = reproduce(args.bundle)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        print(f"cannot read {args.bundle}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
