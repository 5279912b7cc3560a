#!/usr/bin/env python3
"""Helpers of scripts/render-k8s.sh and scripts/validate-k8s.sh (run in their pinned venv).

  k8s.py render <manifest dir> <out dir> <values file>...   fill ${NAME}; SECRET_* only from 0600 files
  k8s.py crd-schemas <crd dir> <out dir>                    CRDs -> kubeconform JSON schemas (strict)
  k8s.py core-schemas <kubernetes-validate schema dir> <out dir>
                                                            standalone copies of the Kubernetes schemas
"""
import json
import os
import re
import stat
import sys

import yaml

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
SECRET_PREFIX = "SECRET_"


def fail(message):
    print(f"k8s: {message}", file=sys.stderr)
    sys.exit(1)


def read_values(path):
    """KEY=VALUE lines; '#' comments and blank lines skipped. A secret may only come from a file
    that nobody but its owner can read, so a secrets file left group- or world-readable is refused."""
    values = {}
    mode = stat.S_IMODE(os.stat(path).st_mode)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
                fail(f"{path}:{number}: expected NAME=value")
            if key.startswith(SECRET_PREFIX) and mode & 0o077:
                fail(f"{path} holds {key} but is readable by others (mode {mode:o}); chmod 600 it")
            if '"' in value or "\\" in value or "\n" in value:
                fail(f"{path}:{number}: {key} must not contain quotes or backslashes")
            values[key] = value
    return values


def render(manifest_dir, out_dir, value_files):
    values = {}
    for path in value_files:
        values.update(read_values(path))
    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    missing = set()
    for name in sorted(os.listdir(manifest_dir)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(manifest_dir, name), encoding="utf-8") as handle:
            text = handle.read()

        def fill(match):
            key = match.group(1)
            if key not in values:
                missing.add(key)
                return match.group(0)
            return values[key]

        rendered = PLACEHOLDER.sub(fill, text)
        target = os.path.join(out_dir, name)
        # Rendered manifests carry secrets: owner-only, like the secrets file they came from.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(rendered)
    if missing:
        fail("no value for " + ", ".join(sorted(missing)) + " (set them in the values or secrets file)")


def strict(schema):
    """The CRD's structural schema as kubeconform's strict mode sees it: unknown fields refused
    unless the CRD preserves them, int-or-string as either."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if schema.pop("x-kubernetes-int-or-string", False):
            schema.pop("type", None)
            schema["oneOf"] = [{"type": "string"}, {"type": "integer"}]
        if (
            schema.get("type") == "object"
            and "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


def crd_schemas(crd_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for name in sorted(os.listdir(crd_dir)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(crd_dir, name), encoding="utf-8") as handle:
            crd = yaml.safe_load(handle)
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = strict(version["schema"]["openAPIV3Schema"])
            properties = schema.setdefault("properties", {})
            properties["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
            properties["kind"] = {"type": "string", "enum": [kind]}
            properties.setdefault("metadata", {"type": "object"})
            schema["additionalProperties"] = False
            # kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}: kind-<first label of group>-<version>
            target = f"{kind.lower()}-{group.split('.')[0]}-{version['name']}.json"
            with open(os.path.join(out_dir, target), "w", encoding="utf-8") as handle:
                json.dump(schema, handle)
            written += 1
    if written == 0:
        fail(f"no CRD in {crd_dir}")


def core_schemas(source_dir, out_dir):
    """kubernetes-validate's files share one "/api/_definitions.json", a path of its own loader.
    Each schema is written standalone instead: the definitions it reaches, copied into its own
    "$defs", with references made local ("#/$defs/..."), so any JSON Schema validator can load it."""
    os.makedirs(out_dir, exist_ok=True)
    prefix = "/api/_definitions.json#/$defs/"
    local = "#/$defs/"
    with open(os.path.join(source_dir, "_definitions.json"), encoding="utf-8") as handle:
        definitions = json.load(handle)["$defs"]

    def localise(node, reached):
        if isinstance(node, dict):
            result = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith((prefix, local)):
                    # Top-level files point into the shared file; definitions point at each other.
                    name = value.split("/$defs/", 1)[1]
                    reached.add(name)
                    result[key] = local + name
                else:
                    result[key] = localise(value, reached)
            return result
        if isinstance(node, list):
            return [localise(item, reached) for item in node]
        return node

    localised = {}
    for name in os.listdir(source_dir):
        if not name.endswith(".json") or name == "_definitions.json":
            continue
        with open(os.path.join(source_dir, name), encoding="utf-8") as handle:
            schema = json.load(handle)
        pending = set()
        schema = localise(schema, pending)
        defs = {}
        while pending:
            definition = pending.pop()
            if definition in defs:
                continue
            if definition not in localised:
                reached = set()
                localised[definition] = (localise(definitions[definition], reached), reached)
            defs[definition], reached = localised[definition]
            pending |= reached - defs.keys()
        if defs:
            schema["$defs"] = defs
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as handle:
            json.dump(schema, handle)


def main(argv):
    if len(argv) >= 4 and argv[0] == "render":
        render(argv[1], argv[2], argv[3:])
    elif len(argv) == 3 and argv[0] == "crd-schemas":
        crd_schemas(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == "core-schemas":
        core_schemas(argv[1], argv[2])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
