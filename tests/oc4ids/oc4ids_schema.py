"""Validation against the official OC4IDS 0.9.5 schema and codelists (a copy of ../shared/standards/oc4ids-0.9.5
in tests/oc4ids/standard, so a clone anywhere tests against it), with format checking.

The package schema refers to the project schema by its published address; both are read from the
folder, never fetched. Every field the schema ties to a codelist is checked against that codelist's
CSV (open codelists included), with the codes the local extension adds (static/oc4ids/codelists/+*.csv).
"""

import csv
import functools
import json
from pathlib import Path

from jsonschema import ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tracker.core.config import PROJECT_ROOT

STANDARD = Path(__file__).parent / "standard"
EXTENSION = PROJECT_ROOT / "static" / "oc4ids"


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def codes(name):
    """The codes of codelist ``name`` (projectSector.csv), with those the extension adds; None if it is not shipped."""
    found = None
    for path in (STANDARD / "codelists" / name, EXTENSION / "codelists" / f"+{name}"):
        if path.exists():
            with open(path, encoding="utf-8", newline="") as f:
                found = (found or set()) | {row["Code"] for row in csv.DictReader(f)}
    return found


def _codelist(validator, name, instance, schema):
    allowed = codes(name)
    if allowed is None:  # currency.csv, geometryType.csv …: not in the folder; their enums check them
        return
    for code in instance if isinstance(instance, list) else [instance]:
        if isinstance(code, str) and code not in allowed:
            yield ValidationError(f"{code!r} is not a code of {name}")


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch, as OCDS extensions patch a schema."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, item in patch.items():
        if item is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), item)
    return merged


def package_validator(extended=False):
    """A validator of the Draft the package schema declares, checking formats and codelists.

    ``extended``: the project schema with the local extension's patch applied, so its fields are checked too.
    """
    package_schema = read_json(STANDARD / "project-package-schema.json")
    project_schema = read_json(STANDARD / "project-schema.json")
    if extended:
        project_schema = merge_patch(project_schema, read_json(EXTENSION / "project-schema.json"))
    # It declares the package's Draft 4 too; left declared, jsonschema would validate the projects
    # with the plain Draft 4 validator and skip the codelist check.
    assert project_schema.pop("$schema") == package_schema["$schema"]
    registry = Registry().with_resource(project_schema["id"], Resource.from_contents(project_schema, DRAFT4))
    declared = validators.validator_for(package_schema)
    checking = validators.extend(declared, {"codelist": _codelist})
    return checking(package_schema, registry=registry, format_checker=declared.FORMAT_CHECKER)


@functools.cache
def _validators():
    return package_validator(), package_validator(extended=True)


def assert_valid(package):
    """Assert that a package is valid OC4IDS 0.9.5, with and without the extension applied, naming every error."""
    for validator in _validators():
        found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
        assert not found, "\n".join(found[:20])
