#!/usr/bin/env python3
"""Validates `scopec check --format sarif` against the SARIF 2.1.0 JSON schema.

The schema lives in ../shared/schemas (not part of a user's clone): without it
the test is skipped (exit code 77)."""
import argparse
import glob
import json
import os
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--scopec", required=True)
ap.add_argument("--schema", required=True)
ap.add_argument("--inputs", required=True, help="a folder of .scope files with diagnostics")
args = ap.parse_args()

if not os.path.exists(args.schema):
    print(f"SKIPPED: no SARIF schema at {args.schema} (../shared is not part of a user's clone)")
    sys.exit(77)

import jsonschema  # Debian's python3-jsonschema

with open(args.schema) as f:
    schema = json.load(f)
files = sorted(glob.glob(os.path.join(args.inputs, "*.scope")))
assert files, "no inputs"
p = subprocess.run([args.scopec, "check", "--format", "sarif", *files], capture_output=True, timeout=120)
assert p.returncode in (0, 1), p.stderr
doc = json.loads(p.stdout)
jsonschema.validate(doc, schema)

run = doc["runs"][0]
assert run["columnKind"] == "unicodeCodePoints"
rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
assert run["results"], "expected findings in the inputs"
for res in run["results"]:
    assert res["ruleId"] in rules
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    assert res["partialFingerprints"]
for r in rules.values():
    assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
print(f"1 passed, 0 failed: {len(run['results'])} results in {len(files)} files validate against SARIF 2.1.0")
