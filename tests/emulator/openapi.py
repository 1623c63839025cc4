"""Validate request bodies against Discord's official OpenAPI 3.1 description, read in place.

The document (``../shared/discord-api-spec/openapi.json`` beside the repository) is loaded once per
process. Its schemas are JSON Schema 2020-12, which is what OpenAPI 3.1 uses, so jsonschema's
``Draft202012Validator`` applies them directly, resolving ``$ref`` within the document. Each body is
checked first by jsonschema-rs's compiled validator of the same schema (microseconds, where jsonschema
takes milliseconds on the message unions: the emulator shares the bot's event loop in tests and in the
benchmark); only a body it rejects goes to jsonschema, for the error to report.

Two deliberate loosenings keep the validator from reporting what Discord accepts:

- ``SnowflakeType`` is a decimal string in the document, but Discord (and discord.py, e.g. for
  attachment ids) also sends integers, so integers >= 0 are accepted too;
- ``oneOf`` is checked as ``anyOf``: the document's unions are discriminated by ``type`` constants,
  but some branches overlap (``null`` next to a nullable object), and "matched more than one" would
  then be a false error. A value that matches no branch is still reported.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "discord-api-spec" / "openapi.json"
SPEC_URI = "urn:discord-openapi"
SNOWFLAKE = {
    "anyOf": [
        {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
        {"type": "integer", "minimum": 0},
    ]
}


@dataclass(frozen=True)
class SchemaError:
    """Where a body failed its schema (JSON path from the body's root) and jsonschema's message."""

    path: tuple[str | int, ...]
    message: str


def _loosen(node: Any) -> Any:
    """A copy of a schema tree with ``oneOf`` read as ``anyOf`` (see the module docstring)."""
    if isinstance(node, dict):
        return {("anyOf" if key == "oneOf" else key): _loosen(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_loosen(item) for item in node]
    return node


def _pointer(*parts: str) -> str:
    """A JSON pointer fragment for these keys."""
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass
class OpenApiSpec:
    """The loaded document and a validator per (path template, method), built on first use."""

    document: dict[str, Any]
    registry: Registry = field(init=False)
    _validators: dict[tuple[str, str], Draft202012Validator | None] = field(default_factory=dict)
    _compiled: dict[tuple[str, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        resource = Resource(contents=self.document, specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)

    def _validator(self, path: str, method: str) -> Draft202012Validator | None:
        key = (path, method.lower())
        if key not in self._validators:
            operation = self.document["paths"].get(path, {}).get(method.lower(), {})
            content = operation.get("requestBody", {}).get("content", {})
            media = "application/json" if "application/json" in content else next(iter(content), None)
            if media is None:
                self._validators[key] = None
            else:
                pointer = _pointer("paths", path, method.lower(), "requestBody", "content", media, "schema")
                schema = {"$ref": f"{SPEC_URI}#/{pointer}"}
                self._validators[key] = Draft202012Validator(schema, registry=self.registry)
                # The whole document as the root, so its "#/..." references resolve; a URI fragment
                # percent-encodes the braces of path templates.
                fragment = quote(pointer, safe="/~@")
                self._compiled[key] = jsonschema_rs.Draft202012Validator(
                    {**self.document, "$ref": f"#/{fragment}"}
                )
        return self._validators[key]

    def validate(self, path: str, method: str, body: Any) -> SchemaError | None:
        """The most relevant schema error of ``body`` for this operation, or None if it conforms."""
        validator = self._validator(path, method)
        if validator is None or self._compiled[(path, method.lower())].is_valid(body):
            return None
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        error = _explain(error)
        return SchemaError(tuple(error.absolute_path), error.message)


def _misses_discriminator(error: ValidationError) -> bool:
    """Whether a union branch failed on its root type or its ``type`` field (it is the wrong branch)."""
    return error.validator in ("type", "enum", "const") and list(error.relative_path) in ([], ["type"])


def _explain(error: ValidationError) -> ValidationError:
    """Descend from "not valid under any of the given schemas" into the branch the body meant.

    A branch whose discriminator matched is the one the body meant; if no single branch qualifies,
    the error about the ``type`` field is reported, or else the union's own error.
    """
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        viable = [errs for errs in branches.values() if not any(_misses_discriminator(e) for e in errs)]
        if len(viable) == 1:
            pool = viable[0]
        else:
            pool = [e for e in error.context if list(e.relative_path) == ["type"]]
        chosen = best_match(pool)
        if chosen is None:
            break
        error = chosen
    return error


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> OpenApiSpec | None:
    """The OpenAPI document at ``path`` prepared for validation, or None when the file is absent."""
    if not path.is_file():
        return None
    document = _loosen(json.loads(path.read_text(encoding="utf-8")))
    document["components"]["schemas"]["SnowflakeType"] = SNOWFLAKE
    return OpenApiSpec(document)
