"""Draft-07 JSON schemas of the spec kinds, generated from the pydantic models.

Editors (yaml-language-server) still validate with draft-07 semantics, so the output is
adjusted to draft-07: `definitions` instead of `$defs`, and a `$ref` with sibling keywords
(ignored by draft-07) wrapped in `allOf` so the field's description still shows on hover.
Descriptions are the models' attribute docstrings, folded onto one line.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema
from pydantic_core.core_schema import DataclassField, ModelField, TypedDictField

from reconciler.spec import v1

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "portin.v1.json": v1.PortIn,
    "portingdefaults.v1.json": v1.PortingDefaults,
    "settings.v1.json": v1.Settings,
}
"""Schema file name -> model, as committed under `schemas/`."""


class Draft7Schema(GenerateJsonSchema):
    """Pydantic's generator, declaring draft-07 and without per-field titles (noise on hover)."""

    schema_dialect = DRAFT_07

    def field_title_should_be_set(
        self, schema: CoreSchema | ModelField | DataclassField | TypedDictField
    ) -> bool:
        """Fields are described by their description; titles are left to models."""
        return False


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """The draft-07 schema document of one spec kind."""
    raw = model.model_json_schema(
        by_alias=True, schema_generator=Draft7Schema, ref_template="#/definitions/{model}"
    )
    body = _draft7(raw)
    definitions = body.pop("$defs", None)
    document: dict[str, Any] = {"$schema": DRAFT_07, **body}
    if definitions is not None:
        document["definitions"] = definitions
    return document


def render(model: type[BaseModel]) -> str:
    """The schema as the committed file text (stable key order, trailing newline)."""
    return json.dumps(schema_for(model), indent=2, ensure_ascii=False) + "\n"


def _draft7(value: JsonSchemaValue | Any) -> Any:
    """Fold descriptions, drop `null` options and defaults, wrap `$ref` with siblings in `allOf`."""
    if isinstance(value, list):
        return [_draft7(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _draft7(item) for key, item in value.items()}
    if isinstance(out.get("description"), str):
        out["description"] = " ".join(out["description"].split())
    if "default" in out and out["default"] is None:
        del out["default"]
    variants = out.get("anyOf")
    if isinstance(variants, list) and {"type": "null"} in variants:
        # `X | None` fields: null means "unset" to the loader; editors should offer X only.
        kept = [v for v in variants if v != {"type": "null"}]
        del out["anyOf"]
        if len(kept) == 1:
            out = {**kept[0], **out}
        else:
            out["anyOf"] = kept
    if "$ref" in out and len(out) > 1:
        out["allOf"] = [{"$ref": out.pop("$ref")}]
    return out
