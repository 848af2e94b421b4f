#!/usr/bin/env python3
"""Derives Sluice's compact schema declarations from Kafka's message schemas.

Reads Kafka's JSON schemas (with // comments and licence headers), keeps only the facts the code
generator needs (names, types, version ranges, nullability, tags, defaults, nesting) and writes
protocol/schemas/<Name>.json. Kafka's prose ("about") and licence text are not copied.

Usage: extract_schemas.py [--src DIR] [--out DIR]
The build never runs this; it reads only protocol/schemas/ (STYLE.md §4).
"""

import argparse
import glob
import json
import os
import sys

TOP_KEYS = ["apiKey", "type", "name", "validVersions", "flexibleVersions"]
FIELD_KEYS = ["name", "type", "versions", "nullableVersions", "taggedVersions", "tag", "default",
              "flexibleVersions"]


def strip_comments(text):
    """Removes // comments that are outside JSON strings."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
            continue
        if c == '"':
            in_string = True
            out.append(c)
            i += 1
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def compact_field(field):
    out = {k: field[k] for k in FIELD_KEYS if k in field}
    if "versions" not in out and "taggedVersions" in out:
        out["versions"] = out["taggedVersions"]
    if "fields" in field:
        out["fields"] = [compact_field(f) for f in field["fields"]]
    return out


def compact_schema(schema):
    out = {k: schema[k] for k in TOP_KEYS if k in schema}
    out["fields"] = [compact_field(f) for f in schema.get("fields", [])]
    if schema.get("commonStructs"):
        out["commonStructs"] = [
            {"name": s["name"], "versions": s.get("versions", "0+"),
             "fields": [compact_field(f) for f in s["fields"]]}
            for s in schema["commonStructs"]]
    return out


def write_schema(schema, path):
    """One field per line: diffs stay readable, files stay small."""
    lines = ["{"]
    for k in TOP_KEYS:
        if k in schema:
            lines.append("  %s: %s," % (json.dumps(k), json.dumps(schema[k])))

    def emit_fields(fields, indent):
        res = []
        for i, f in enumerate(fields):
            comma = "," if i + 1 < len(fields) else ""
            flat = {k: v for k, v in f.items() if k != "fields"}
            text = json.dumps(flat)
            if "fields" in f:
                res.append(" " * indent + text[:-1] + ', "fields": [')
                res.extend(emit_fields(f["fields"], indent + 2))
                res.append(" " * indent + "]}" + comma)
            else:
                res.append(" " * indent + text + comma)
        return res

    lines.append('  "fields": [')
    lines.extend(emit_fields(schema["fields"], 4))
    if "commonStructs" in schema:
        lines.append("  ],")
        lines.append('  "commonStructs": [')
        lines.extend(emit_fields(schema["commonStructs"], 4))
    lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # self-check
    with open(path, "w") as f:
        f.write(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", default=os.path.join(here, "../../../shared/kafka-protocol/schemas"))
    parser.add_argument("--out", default=os.path.join(here, "../schemas"))
    args = parser.parse_args()
    paths = sorted(glob.glob(os.path.join(args.src, "*.json")))
    if not paths:
        sys.exit("no schemas in %s" % args.src)
    os.makedirs(args.out, exist_ok=True)
    for path in paths:
        with open(path) as f:
            schema = json.loads(strip_comments(f.read()))
        out = compact_schema(schema)
        write_schema(out, os.path.join(args.out, out["name"] + ".json"))
    print("wrote %d schemas to %s" % (len(paths), args.out))


if __name__ == "__main__":
    main()
