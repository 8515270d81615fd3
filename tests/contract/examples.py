#!/usr/bin/env python3
"""Every example in openapi/openapi.json is valid against the schema it illustrates: the
schemas' own examples, and the examples of each response and request body. Run by .ci/run
beside the OpenAPI validator (jsonschema comes with openapi-spec-validator)."""

import json
import sys

import jsonschema

doc = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "openapi/openapi.json"))
components = doc.get("components", {})


def check(where, example, schema):
    full = dict(schema)
    full["components"] = components
    try:
        jsonschema.validate(example, full, cls=jsonschema.Draft202012Validator)
        return 0
    except jsonschema.ValidationError as e:
        print(f"{where}: {e.message[:300]}")
        return 1


bad = 0
for name, schema in components.get("schemas", {}).items():
    if "example" in schema:
        bad += check(f"schema {name}", schema["example"], {"$ref": f"#/components/schemas/{name}"})
for name, response in components.get("responses", {}).items():
    for media, body in response.get("content", {}).items():
        if "example" in body:
            bad += check(f"response {name} {media}", body["example"], body["schema"])
for path, item in doc.get("paths", {}).items():
    for method, op in item.items():
        bodies = [("request", op.get("requestBody", {}))]
        bodies += [(status, r) for status, r in op.get("responses", {}).items()]
        for label, holder in bodies:
            for media, body in holder.get("content", {}).items():
                if "example" in body and "schema" in body:
                    bad += check(f"{method.upper()} {path} {label} {media}", body["example"], body["schema"])
if bad:
    sys.exit(f"{bad} example(s) do not match their schema")
print("every example matches its schema")
