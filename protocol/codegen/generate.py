#!/usr/bin/env python3
"""Generates C++ message structs with Decode/Encode for every schema in protocol/schemas/.

Usage: generate.py --schemas DIR --out DIR --chunks N
Writes messages.h, api_table.cc and messages_<i>.cc for i in [0, N).

One struct per message (named as the schema), nested structs and commonStructs declared inside it,
fields in snake_case, all versions in one struct; versions differ only inside Decode/Encode.
"""

import argparse
import glob
import json
import os
import re

from gen_testing import gen_testing

MAX_VERSION = 32767

PRIMS = {
    "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
    "uint16": "uint16_t", "uint32": "uint32_t", "float64": "double", "bool": "bool",
    "string": "std::string", "bytes": "std::string", "records": "Records", "uuid": "Uuid",
}
FIXED_READ = {
    "int8": "ReadInt8", "int16": "ReadInt16", "int32": "ReadInt32", "int64": "ReadInt64",
    "uint16": "ReadUint16", "uint32": "ReadUint32", "float64": "ReadFloat64", "bool": "ReadBool",
    "uuid": "ReadUuid",
}
INT_LIMITS = {"int8": (-128, 127), "int16": (-32768, 32767), "int32": (-2**31, 2**31 - 1),
              "int64": (-2**63, 2**63 - 1), "uint16": (0, 65535), "uint32": (0, 2**32 - 1)}
CPP_KEYWORDS = {"default", "delete", "new", "class", "register", "operator", "private", "public",
                "template", "this", "union", "namespace", "switch", "case", "int", "long", "short",
                "char", "bool", "float", "double", "auto", "const", "static", "struct", "enum"}
RESERVED_LOCALS = {"in", "out", "version", "flexible", "tagged", "sub", "tag", "w", "e",
                   "unknown_tagged_fields"}


def parse_versions(text):
    """'3+' -> (3, MAX), '1-4' -> (1, 4), '2' -> (2, 2), 'none'/None -> None."""
    if text is None or text == "none":
        return None
    text = str(text)
    if text.endswith("+"):
        return (int(text[:-1]), MAX_VERSION)
    if "-" in text:
        lo, hi = text.split("-")
        return (int(lo), int(hi))
    return (int(text), int(text))


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = s.lower()
    if s in CPP_KEYWORDS:
        s += "_"
    return s


def intersect(a, b):
    if a is None or b is None:
        return None
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else None


def cond(rng, bounds):
    """C++ condition for `version` in rng, given version is known to lie in bounds."""
    if rng is None:
        return "false"
    parts = []
    if rng[0] > bounds[0]:
        parts.append("version >= %d" % rng[0])
    if rng[1] < bounds[1]:
        parts.append("version <= %d" % rng[1])
    return " && ".join(parts) if parts else "true"


class Field:
    def __init__(self, spec, msg):
        self.name = spec["name"]
        self.member = snake(self.name)
        assert self.member not in RESERVED_LOCALS, self.name
        self.type = spec["type"]
        self.is_array = self.type.startswith("[]")
        self.elem = self.type[2:] if self.is_array else self.type
        self.versions = parse_versions(spec.get("versions"))
        self.nullable = parse_versions(spec.get("nullableVersions"))
        self.tagged = parse_versions(spec.get("taggedVersions"))
        self.tag = spec.get("tag")
        self.default = spec.get("default")
        self.flex_override = ("flexibleVersions" in spec)
        self.flexible = parse_versions(spec.get("flexibleVersions"))
        self.is_struct = self.elem not in PRIMS
        self.struct_name = self.elem if self.is_struct else None
        if self.is_struct and "fields" in spec:
            msg.add_struct(self.elem, spec["fields"])
        if self.is_struct and not self.is_array and self.nullable:
            raise SystemExit("nullable struct fields are not supported: " + self.name)

    # --- C++ types and defaults ---
    def elem_cpp(self):
        return self.struct_name if self.is_struct else PRIMS[self.elem]

    def cpp_type(self):
        if self.is_array:
            t = "std::vector<%s>" % self.elem_cpp()
            return "std::optional<%s>" % t if self.nullable else t
        if self.elem in ("string", "bytes") and self.nullable:
            return "std::optional<std::string>"
        return self.elem_cpp()

    def default_init(self):
        d = self.default
        if self.elem == "uuid" and not self.is_array:
            return " = {}"
        if self.is_array or self.is_struct or self.elem == "records":
            return ""
        if self.elem in ("string", "bytes"):
            if d is None or d == "null" or d == "":
                return ""
            return ' = "%s"' % d
        if self.elem == "bool":
            return " = %s" % ("true" if str(d).lower() == "true" else "false")
        if self.elem == "float64":
            return " = %s" % (float(d) if d is not None else "0.0")
        value = int(str(d), 0) if d is not None else 0
        lo, hi = INT_LIMITS[self.elem]
        assert lo <= value <= hi, (self.name, value)
        if value == lo and lo < 0:
            return " = std::numeric_limits<%s>::min()" % PRIMS[self.elem]
        return " = %d" % value

    def is_non_default(self, m):
        """C++ expression true when the member differs from its default (tagged fields)."""
        if self.is_array:
            return "%s.has_value()" % m if self.nullable else "!%s.empty()" % m
        if self.is_struct:
            return "!(%s == %s{})" % (m, self.struct_name)
        if self.elem in ("string", "bytes"):
            if self.nullable:
                return "%s.has_value()" % m
            init = self.default_init()
            return "%s != %s" % (m, init[3:]) if init else "!%s.empty()" % m
        if self.elem == "records":
            return "!%s.is_null()" % m
        if self.elem == "uuid":
            return "%s != Uuid{}" % m
        init = self.default_init()
        return "%s != %s" % (m, init[3:] if init else "0")

    # --- code ---
    def compact_expr(self, in_tag):
        if in_tag:
            return "true"
        if self.flex_override:
            return "false" if self.flexible is None else "(%s)" % cond(self.flexible, (0, MAX_VERSION))
        return "flexible"

    def read_elem(self, target, reader, compact, nullable_now):
        """Statement(s) reading one value of the element type into target."""
        e = self.elem
        what = '"%s"' % self.member
        if self.is_struct:
            return "(void)%s.Decode(%s, version);" % (target, reader)
        if e in FIXED_READ:
            return "%s = %s.%s(%s);" % (target, reader, FIXED_READ[e], what)
        if e == "string":
            fn = "ReadNullableString" if nullable_now else "ReadString"
            return "%s = %s.%s(%s, %s);" % (target, reader, fn, compact, what)
        if e == "bytes":
            fn = "ReadNullableBytes" if nullable_now else "ReadBytes"
            return "%s = %s.%s(%s, %s);" % (target, reader, fn, compact, what)
        if e == "records":
            return "%s.Decode(%s, %s, %s);" % (target, reader, compact, what)
        raise SystemExit("unknown type " + e)

    def write_elem(self, value, writer, compact, nullable_now, optional_typed):
        e = self.elem
        if self.is_struct:
            return "%s.Encode(%s, version);" % (value, writer)
        if e in FIXED_READ:
            return "%s.%s(%s);" % (writer, FIXED_READ[e].replace("Read", "Write"), value)
        if e in ("string", "bytes"):
            kind = "String" if e == "string" else "Bytes"
            if optional_typed and nullable_now:
                return "%s.WriteNullable%s(%s, %s);" % (writer, kind, value, compact)
            if optional_typed:
                return '%s.Write%s(%s.has_value() ? std::string_view(*%s) : std::string_view(), %s);' % (
                    writer, kind, value, value, compact)
            return "%s.Write%s(%s, %s);" % (writer, kind, value, compact)
        if e == "records":
            return "%s.Encode(%s, %s);" % (value, writer, compact)
        raise SystemExit("unknown type " + e)

    def decode_lines(self, reader, compact, bounds, in_tag=False):
        """Lines decoding this field (for the version condition the caller has checked)."""
        m = self.member
        lines = []
        nullable_rng = self.nullable
        nullable_cond = cond(nullable_rng, bounds) if nullable_rng else "false"
        if self.is_array:
            elem_t = self.elem_cpp()
            lam = "[&](%s& e) { %s }" % (elem_t, self.read_elem("e", reader, compact, False)
                                         if not self.is_struct else
                                         "(void)e.Decode(%s, version);" % reader)
            if self.nullable:
                lines.append("if (%s) {" % nullable_cond)
                lines.append("  codegen::ReadNullableArray(%s, %s, \"%s\", %s, %s);" % (
                    reader, compact, m, m, lam))
                lines.append("} else {")
                lines.append("  codegen::ReadArray(%s, %s, \"%s\", %s.emplace(), %s);" % (
                    reader, compact, m, m, lam))
                lines.append("}")
            else:
                lines.append("codegen::ReadArray(%s, %s, \"%s\", %s, %s);" % (
                    reader, compact, m, m, lam))
            return lines
        if self.elem in ("string", "bytes") and self.nullable:
            if nullable_cond == "true":
                lines.append(self.read_elem(m, reader, compact, True))
            else:
                lines.append("if (%s) {" % nullable_cond)
                lines.append("  " + self.read_elem(m, reader, compact, True))
                lines.append("} else {")
                lines.append("  " + self.read_elem(m, reader, compact, False))
                lines.append("}")
            return lines
        lines.append(self.read_elem(m, reader, compact, False))
        return lines

    def encode_lines(self, writer, compact, bounds):
        m = self.member
        lines = []
        nullable_cond = cond(self.nullable, bounds) if self.nullable else "false"
        if self.is_array:
            elem_t = self.elem_cpp()
            lam = "[&](const %s& e) { %s }" % (elem_t, self.write_elem("e", writer, compact, False,
                                                                    False))
            if self.nullable:
                lines.append("if (!%s.has_value()) {" % m)
                lines.append("  if (%s) {" % nullable_cond)
                lines.append("    %s.WriteNullArray(%s);" % (writer, compact))
                lines.append("  } else {")
                lines.append("    %s.WriteArrayLength(0, %s);" % (writer, compact))
                lines.append("  }")
                lines.append("} else {")
                lines.append("  codegen::WriteArray(%s, %s, *%s, %s);" % (writer, compact, m, lam))
                lines.append("}")
            else:
                lines.append("codegen::WriteArray(%s, %s, %s, %s);" % (writer, compact, m, lam))
            return lines
        if self.elem in ("string", "bytes") and self.nullable:
            if nullable_cond == "true":
                lines.append(self.write_elem(m, writer, compact, True, True))
            else:
                lines.append("if (%s) {" % nullable_cond)
                lines.append("  " + self.write_elem(m, writer, compact, True, True))
                lines.append("} else {")
                lines.append("  " + self.write_elem(m, writer, compact, False, True))
                lines.append("}")
            return lines
        lines.append(self.write_elem(m, writer, compact, False, False))
        return lines


class Struct:
    def __init__(self, name, fields_spec, msg):
        self.name = name
        self.fields = [Field(f, msg) for f in fields_spec]
        names = [f.member for f in self.fields]
        assert len(names) == len(set(names)), name

    def deps(self):
        return [f.struct_name for f in self.fields if f.is_struct]


class Message:
    def __init__(self, schema):
        self.schema = schema
        self.name = schema["name"]
        self.kind = schema["type"]
        self.api_key = schema.get("apiKey")
        self.valid = parse_versions(schema["validVersions"])
        self.flexible = parse_versions(schema.get("flexibleVersions", "none"))
        self.first_flexible = self.flexible[0] if self.flexible else MAX_VERSION
        self.structs = {}      # name -> Struct (nested and common)
        self.struct_specs = {}
        for common in schema.get("commonStructs", []):
            self.struct_specs[common["name"]] = common["fields"]
        self.top = Struct(self.name, schema["fields"], self)
        for cname in list(self.struct_specs):
            if cname not in self.structs:
                self.add_struct(cname, self.struct_specs[cname])

    def add_struct(self, name, fields_spec):
        if name in self.structs:
            raise SystemExit("%s: struct %s declared twice" % (self.name, name))
        self.structs[name] = None  # placeholder against recursion
        self.structs[name] = Struct(name, fields_spec, self)

    def resolve(self):
        """Structs referenced without fields must be common structs."""
        for s in [self.top] + list(self.structs.values()):
            for f in s.fields:
                if f.is_struct and f.struct_name not in self.structs:
                    if f.struct_name in self.struct_specs:
                        self.add_struct(f.struct_name, self.struct_specs[f.struct_name])
                    else:
                        raise SystemExit("%s: unknown struct %s" % (self.name, f.struct_name))

    def ordered_structs(self):
        order, seen = [], set()

        def visit(name):
            if name in seen:
                return
            seen.add(name)
            for d in self.structs[name].deps():
                visit(d)
            order.append(self.structs[name])

        for name in self.structs:
            visit(name)
        return order


# ---------------------------------------------------------------------------------------------
# Header

def struct_decl(s, msg, indent, is_top):
    p = " " * indent
    out = []
    out.append("%sstruct %s {" % (p, s.name))
    if is_top:
        if msg.api_key is not None and msg.kind in ("request", "response"):
            out.append("%s  static constexpr int16_t kApiKey = %d;" % (p, msg.api_key))
            out.append("%s  static constexpr ApiKey kApi = ApiKey::k%s;" % (p, api_base(msg.name)))
    out.append("%s  static constexpr int16_t kMinVersion = %d;" % (p, msg.valid[0]))
    out.append("%s  static constexpr int16_t kMaxVersion = %d;" % (p, msg.valid[1]))
    out.append("%s  static constexpr int16_t kFirstFlexibleVersion = %d;" % (p, msg.first_flexible))
    if is_top:
        out.append('%s  static constexpr const char* kName = "%s";' % (p, msg.name))
        for inner in msg.ordered_structs():
            out.append("")
            out.extend(struct_decl(inner, msg, indent + 2, False))
        out.append("")
    for f in s.fields:
        out.append("%s  %s %s%s;  // %s" % (p, f.cpp_type(), f.member, f.default_init(),
                                           version_comment(f)))
    out.append("%s  TaggedFields unknown_tagged_fields;" % p)
    out.append("")
    out.append("%s  Status Decode(WireReader& in, int16_t version);" % p)
    out.append("%s  void Encode(WireWriter& out, int16_t version) const;" % p)
    out.append("%s  bool operator==(const %s&) const = default;" % (p, s.name))
    out.append("%s};" % p)
    return out


def version_comment(f):
    def fmt(r):
        if r is None:
            return "none"
        if r[1] == MAX_VERSION:
            return "v%d+" % r[0]
        return "v%d" % r[0] if r[0] == r[1] else "v%d-%d" % r
    text = fmt(f.versions)
    if f.tagged:
        text += ", tag %d in %s" % (f.tag, fmt(f.tagged))
    if f.nullable:
        text += ", nullable %s" % fmt(f.nullable)
    return text


def api_base(name):
    for suffix in ("Request", "Response"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# ---------------------------------------------------------------------------------------------
# Source

def struct_impl(s, msg, qual, is_top):
    bounds = msg.valid
    out = []
    flex = "version >= %d" % msg.first_flexible if msg.flexible else "false"
    positional = [f for f in s.fields if not (f.tagged and f.tagged == f.versions)]
    tagged = [f for f in s.fields if f.tagged]
    for f in positional:
        assert not f.tagged, "%s.%s: partly tagged fields are not supported" % (msg.name, f.name)

    # Decode
    out.append("Status %s::Decode(WireReader& in, int16_t version) {" % qual)
    if is_top:
        out.append("  if (version < kMinVersion || version > kMaxVersion) {")
        out.append("    return codegen::UnsupportedVersion(kName, version);")
        out.append("  }")
        out.append("  *this = %s{};  // fields absent from this version keep their defaults" % s.name)
    out.append("  [[maybe_unused]] const bool flexible = %s;" % flex)
    for f in positional:
        c = cond(f.versions, bounds)
        body = f.decode_lines("in", f.compact_expr(False), bounds)
        out.extend(wrap_cond(c, body, "  "))
    if msg.flexible:
        out.append("  if (flexible) {")
        if tagged:
            out.append("    in.ReadTaggedFields(unknown_tagged_fields, [&](uint32_t tag, WireReader& sub) {")
            out.append("      switch (tag) {")
            for f in tagged:
                out.append("        case %d:" % f.tag)
                out.append("          if (!(%s)) return false;" % cond(f.tagged, bounds))
                for line in f.decode_lines("sub", "true", bounds, in_tag=True):
                    out.append("          " + line)
                out.append("          return true;")
            out.append("        default:")
            out.append("          return false;")
            out.append("      }")
            out.append("    });")
        else:
            out.append("    in.ReadTaggedFields(unknown_tagged_fields);")
        out.append("  }")
    if is_top:
        out.append("  return codegen::FinishDecode(in, kName, version);")
    else:
        out.append("  return in.status();")
    out.append("}")
    out.append("")

    # Encode
    out.append("void %s::Encode(WireWriter& out, int16_t version) const {" % qual)
    out.append("  [[maybe_unused]] const bool flexible = %s;" % flex)
    for f in positional:
        c = cond(f.versions, bounds)
        body = f.encode_lines("out", f.compact_expr(False), bounds)
        out.extend(wrap_cond(c, body, "  "))
    if msg.flexible:
        out.append("  if (flexible) {")
        if tagged:
            out.append("    std::vector<TaggedField> tagged;")
            for f in tagged:
                c = cond(f.tagged, bounds)
                test = f.is_non_default(f.member)
                full = test if c == "true" else "(%s) && %s" % (c, test)
                out.append("    if (%s) {" % full)
                out.append("      codegen::AddTagged(tagged, %d, [&](WireWriter& w) {" % f.tag)
                for line in f.encode_lines("w", "true", bounds):
                    out.append("        " + line)
                out.append("      });")
                out.append("    }")
            out.append("    out.WriteTaggedFields(std::move(tagged), unknown_tagged_fields);")
        else:
            out.append("    out.WriteTaggedFields(unknown_tagged_fields);")
        out.append("  }")
    out.append("}")
    out.append("")
    return out


def wrap_cond(c, body, indent):
    if c == "true":
        return [indent + line for line in body]
    if c == "false":
        return []
    return [indent + "if (%s) {" % c] + [indent + "  " + line for line in body] + [indent + "}"]


def message_impl(msg):
    out = []
    for s in msg.ordered_structs():
        out.extend(struct_impl(s, msg, "%s::%s" % (msg.name, s.name), False))
    out.extend(struct_impl(msg.top, msg, msg.name, True))
    return out


# ---------------------------------------------------------------------------------------------

HEADER_PREAMBLE = """#pragma once
// Generated by protocol/codegen/generate.py from protocol/schemas/*.json. Do not edit.
//
// One struct per Kafka message for all its versions. Decode() resets the struct and reads the body
// of a version (records fields borrow the reader's buffer, which must outlive the message; the
// reader is left after the body, and trailing bytes are the caller's business: Kafka ignores them);
// Encode() writes it.
// Fields absent from a version are neither read nor written; tagged fields go by tag; unknown
// tagged fields are kept in unknown_tagged_fields and written back.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "protocol/api_keys.h"
#include "protocol/records.h"
#include "protocol/wire.h"

namespace sluice::protocol {
"""


def gen_header(messages):
    out = [HEADER_PREAMBLE]
    for msg in messages:
        out.extend(struct_decl(msg.top, msg, 0, True))
        out.append("")
    out.append("// Per API key: the request/response schemas' valid versions and first flexible version")
    out.append("// (INT16_MAX when none).")
    out.append("struct ApiInfo {")
    out.append("  ApiKey key;")
    out.append("  const char* name;")
    out.append("  int16_t min_version;")
    out.append("  int16_t max_version;")
    out.append("  int16_t first_flexible_version;")
    out.append("};")
    out.append("")
    out.append("// Every API with a schema, ascending by key.")
    out.append("std::span<const ApiInfo> AllApiInfos();")
    out.append("// nullptr for an api key without a schema.")
    out.append("const ApiInfo* FindApiInfo(int16_t api_key);")
    out.append("")
    reqs = [m for m in messages if m.kind == "request"]
    for kind, title in (("request", "Request"), ("response", "Response")):
        out.append("// Calls fn(std::type_identity<X%s>{}) for the %s struct of api_key; false when" % (title, kind))
        out.append("// the key has no schema.")
        out.append("template <typename Fn>")
        out.append("bool Visit%sType(int16_t api_key, Fn&& fn) {" % title)
        out.append("  switch (api_key) {")
        for m in reqs:
            base = api_base(m.name)
            out.append("    case %d:" % m.api_key)
            out.append("      fn(std::type_identity<%s%s>{});" % (base, title))
            out.append("      return true;")
        out.append("    default:")
        out.append("      return false;")
        out.append("  }")
        out.append("}")
        out.append("")
    out.append("}  // namespace sluice::protocol")
    out.append("")
    return "\n".join(out)


def gen_api_table(messages):
    reqs = sorted([m for m in messages if m.kind == "request"], key=lambda m: m.api_key)
    out = ['// Generated by protocol/codegen/generate.py. Do not edit.',
           '#include "protocol/generated/messages.h"', "", "namespace sluice::protocol {", "",
           "namespace {", "constexpr ApiInfo kApis[] = {"]
    for m in reqs:
        out.append('    {ApiKey::k%s, "%s", %d, %d, %d},' % (
            api_base(m.name), api_base(m.name), m.valid[0], m.valid[1], m.first_flexible))
    out += ["};", "}  // namespace", "",
            "std::span<const ApiInfo> AllApiInfos() { return kApis; }", "",
            "const ApiInfo* FindApiInfo(int16_t api_key) {",
            "  for (const ApiInfo& info : kApis) {",
            "    if (static_cast<int16_t>(info.key) == api_key) return &info;",
            "  }",
            "  return nullptr;", "}", "", "}  // namespace sluice::protocol", ""]
    return "\n".join(out)


def gen_chunk(msgs):
    out = ["// Generated by protocol/codegen/generate.py. Do not edit.",
           '#include "protocol/codegen/runtime.h"',
           '#include "protocol/generated/messages.h"', "",
           "namespace sluice::protocol {", ""]
    for m in msgs:
        out.append("// " + "-" * 96)
        out.append("// " + m.name)
        out.append("")
        out.extend(message_impl(m))
    out.append("}  // namespace sluice::protocol")
    out.append("")
    return "\n".join(out)


def write_if_changed(path, text):
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--chunks", type=int, default=6)
    args = parser.parse_args()
    messages = []
    for path in sorted(glob.glob(os.path.join(args.schemas, "*.json"))):
        with open(path) as f:
            msg = Message(json.load(f))
        msg.resolve()
        messages.append(msg)
    os.makedirs(args.out, exist_ok=True)
    write_if_changed(os.path.join(args.out, "messages.h"), gen_header(messages))
    write_if_changed(os.path.join(args.out, "api_table.cc"), gen_api_table(messages))
    write_if_changed(os.path.join(args.out, "messages_testing.h"), gen_testing(messages))
    # Balance chunks by generated size so each translation unit compiles in similar time.
    impls = sorted(((len("\n".join(message_impl(m))), m) for m in messages),
                   key=lambda x: -x[0])
    chunks = [[] for _ in range(args.chunks)]
    sizes = [0] * args.chunks
    for size, m in impls:
        i = sizes.index(min(sizes))
        chunks[i].append(m)
        sizes[i] += size
    for i, chunk in enumerate(chunks):
        chunk.sort(key=lambda m: m.name)
        write_if_changed(os.path.join(args.out, "messages_%d.cc" % i), gen_chunk(chunk))


if __name__ == "__main__":
    main()
