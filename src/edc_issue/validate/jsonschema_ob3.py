"""Open Badges 3.0: the official JSON Schemas (draft 2019-09) and the form checks of verification.

The 1EdTech schemas are bundled in ``schemas/jsonschema/`` and compiled once per
process. On top of the schema, the checks of OB 3.0 §9.2 (verification) that
are about form: the ``type``, the dates, the issuer ``Profile`` with an ``id``,
and each ``credentialSchema`` entry, which is honoured when it names a bundled
schema.

See: <https://www.imsglobal.org/spec/ob/v3p0/#verification-and-validation>
"""

from __future__ import annotations

import json
import threading
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match

from .._resources import schemas_dir
from ..results import Finding
from .nodemap import join_path
from .profiles import OB_PROFILES

__all__ = ["OB3_SPEC", "check_ob3", "schema_validator", "schemas_by_id"]

OB3_SPEC = "https://www.imsglobal.org/spec/ob/v3p0/"
OB_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
JSON_SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
PURL_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"

_LOCK = threading.Lock()
_VALIDATORS: dict[str, Draft201909Validator] = {}
_BY_ID: dict[str, str] | None = None


def schema_validator(file: str) -> Draft201909Validator:
    """Return the compiled validator of a bundled schema file (compiled once per process)."""
    validator = _VALIDATORS.get(file)
    if validator is None:
        with _LOCK:
            validator = _VALIDATORS.get(file)
            if validator is None:
                schema = json.loads((schemas_dir() / "jsonschema" / file).read_text("utf-8"))
                Draft201909Validator.check_schema(schema)
                validator = Draft201909Validator(
                    schema, format_checker=Draft201909Validator.FORMAT_CHECKER)
                _VALIDATORS[file] = validator
    return validator


def schemas_by_id() -> dict[str, str]:
    """Map each bundled schema's ``$id`` (as credentials name it) to its file."""
    global _BY_ID
    if _BY_ID is None:
        found: dict[str, str] = {}
        for path in sorted((schemas_dir() / "jsonschema").glob("*.json")):
            if path.name == "PROVENANCE.json":
                continue
            schema_id = json.loads(path.read_text("utf-8")).get("$id")
            if isinstance(schema_id, str):
                found[schema_id] = path.name
            # credentials name the schema by its published purl address
            found[PURL_BASE + path.name] = path.name
        _BY_ID = found
    return _BY_ID


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _explain(error: SchemaError) -> SchemaError:
    """For an anyOf / oneOf failure, report the alternative that came closest.

    An alternative that fails only because the value has another JSON type (a
    Profile object against the "string" branch) is not the one meant; among the
    others, the error that goes deepest into the value says most.
    """
    while error.context:
        candidates = [e for e in error.context
                      if not (e.validator == "type" and not e.relative_path)]
        if not candidates:
            inner = best_match(error.context)
        else:
            inner = max(candidates, key=lambda e: len(e.absolute_path))
        if inner is None or inner is error:
            break
        error = inner
    return error


def _message(error: SchemaError) -> str:
    kw = error.validator
    message = str(error.message)
    if kw == "required":
        return message.replace("is a required property", "is required")
    if kw in ("enum", "const", "contains", "pattern", "type", "format", "minItems"):
        return f"{_short(error.instance)} does not match the schema ({kw}: " \
               f"{_short(error.validator_value, 120)})"
    return message if len(message) <= 300 else message[:299] + "…"


def _schema_findings(doc: dict[str, Any], file: str, prefix: str, rule: str) -> list[Finding]:
    out: list[Finding] = []
    for error in sorted(schema_validator(file).iter_errors(doc), key=lambda e: list(e.path)):
        error = _explain(error)
        path = prefix
        for part in error.absolute_path:
            path = join_path(path, part if isinstance(part, int) else str(part))
        out.append(Finding(path, _message(error), severity="error",
                           rule=f"{rule} {error.validator}", code="jsonschema." + str(
                               error.validator)))
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def default_schema(doc: dict[str, Any]) -> str | None:
    """The bundled schema file for a credential's type, or ``None`` (e.g. CLR)."""
    types = set(t for t in _as_list(doc.get("type")) if isinstance(t, str))
    if "EndorsementCredential" in types:
        return OB_PROFILES["ob-v3p0-endorsementcredential"]
    if types & OB_CREDENTIAL_TYPES:
        return OB_PROFILES["ob-v3p0-achievementcredential"]
    return None


def check_ob3(doc: dict[str, Any], *, prefix: str = "", schema_file: str | None = None
              ) -> tuple[list[Finding], list[str]]:
    """Check an Open Badges 3.0 credential; return the findings and the schemas used.

    :param schema_file: a bundled schema to use instead of the one chosen by type.
    """
    out: list[Finding] = []
    used: list[str] = []
    types = [t for t in _as_list(doc.get("type")) if isinstance(t, str)]
    if "VerifiableCredential" not in types or not (
            set(types) & (OB_CREDENTIAL_TYPES | {"EndorsementCredential", "ClrCredential"})):
        out.append(Finding(join_path(prefix, "type"), "type must include VerifiableCredential "
                           "and OpenBadgeCredential (or AchievementCredential), found "
                           f"{types}", rule="ob3.verification type", code="ob3.type"))
    issuer = doc.get("issuer")
    if isinstance(issuer, dict):
        itypes = _as_list(issuer.get("type"))
        if "Profile" not in itypes:
            out.append(Finding(join_path(join_path(prefix, "issuer"), "type"),
                               f"the issuer must be a Profile (type includes \"Profile\"), "
                               f"found {itypes}", rule="ob3.verification issuer",
                               code="ob3.issuer_not_profile"))
        if not isinstance(issuer.get("id"), str):
            out.append(Finding(join_path(join_path(prefix, "issuer"), "id"),
                               "the issuer Profile lacks its id", rule="ob3.verification issuer",
                               code="ob3.issuer_without_id"))
    elif issuer is not None and not isinstance(issuer, str):
        out.append(Finding(join_path(prefix, "issuer"), "the issuer must be a Profile object "
                           "with an id", rule="ob3.verification issuer", code="ob3.issuer"))
    primary = schema_file or default_schema(doc)
    if primary is not None:
        used.append(primary)
        out.extend(_schema_findings(doc, primary, prefix, primary.removesuffix(".json")))
    elif "ClrCredential" in types:
        out.append(Finding(prefix, "no CLR 2.0 JSON Schema is bundled; only the VC Data Model "
                           "and JSON-LD rules were checked", severity="info",
                           rule="clr.schema", code="validate.no_schema"))
    known = schemas_by_id()
    schemas = doc.get("credentialSchema")
    for i, entry in enumerate(_as_list(schemas)):
        path = join_path(join_path(prefix, "credentialSchema"), i) if isinstance(
            schemas, list) else join_path(prefix, "credentialSchema")
        if not isinstance(entry, dict):
            continue
        schema_id = entry.get("id")
        if JSON_SCHEMA_VALIDATOR_TYPE not in _as_list(entry.get("type")):
            out.append(Finding(path, f"credentialSchema of type {entry.get('type')!r} is not "
                               f"understood (expected {JSON_SCHEMA_VALIDATOR_TYPE}); not checked",
                               severity="warning", rule="ob3.credentialSchema",
                               code="validate.unknown_schema_type"))
            continue
        file = known.get(schema_id) if isinstance(schema_id, str) else None
        if file is None:
            out.append(Finding(path, f"credentialSchema {schema_id!r} is not bundled and fetching "
                               "is off; not checked", severity="warning",
                               rule="ob3.credentialSchema", code="validate.unknown_schema",
                               value=str(schema_id)))
        elif file not in used:
            used.append(file)
            out.extend(_schema_findings(doc, file, prefix, file.removesuffix(".json")))
    return out, used
