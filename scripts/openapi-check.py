#!/usr/bin/env python3
"""The OpenAPI document's own checks beyond the spec validator: every component schema carries an
example, every example anywhere (schema, property, media type) is valid against the schema it sits
on, and the document's version is the build's. Exits 1 naming each example that is wrong."""
import json
import re
import sys

from openapi_schema_validator import OAS30Validator

root = sys.argv[1]
document = json.load(open(f"{root}/Sources/Modules/Docs/openapi.json"))
problems = []


def validate(value, schema, where):
    # The schema is checked inside a copy of the document's components, so its $refs resolve.
    wrapper = dict(schema)
    wrapper["components"] = document["components"]
    for error in OAS30Validator(wrapper).iter_errors(value):
        problems.append(f"{where}: {error.message} (at {'/'.join(map(str, error.path)) or 'top'})")


def walk(node, where):
    if isinstance(node, dict):
        if "schema" in node and "example" in node:  # a media type or parameter example
            validate(node["example"], node["schema"], where + "/example")
        if "example" in node and ("type" in node or "$ref" in node or "allOf" in node):
            schema = {key: value for key, value in node.items() if key != "example"}
            validate(node["example"], schema, where + "/example")
        for key, child in node.items():
            walk(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            walk(child, f"{where}/{index}")


for name, schema in document["components"]["schemas"].items():
    if "example" not in schema:
        problems.append(f"components/schemas/{name}: no example")
walk(document["paths"], "paths")
walk(document["components"], "components")

build_info = open(f"{root}/Sources/Modules/Metrics/BuildInfo.swift").read()
build_version = re.search(r'version\s*=\s*"([^"]+)"', build_info).group(1)
if document["info"]["version"] != build_version:
    problems.append(f"info.version {document['info']['version']} is not the build's {build_version}")

for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
