"""Single fields of a document that may have failed model validation, validated one by one.

A file with one wrong value must still get every other check in the same run (the Canadian
`resellerName` rule, duplicate names across files, ...). Those checks read the fields they need
through `field_value`, which validates just that field with the model's own type and rules, so
a check never sees a value the model would refuse, and never reports a field the model already
reported as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from reconciler.spec.fields import Text


class Invalid:
    """The marker for a field whose value the model refuses (its error is already reported)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A strict validator for the field `name` of `model`, constraints included."""
    info = model.model_fields[name]
    annotation: Any = (
        Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return TypeAdapter(annotation)
    return TypeAdapter(annotation, config=ConfigDict(strict=True))


def field_value(model: type[BaseModel], name: str, data: object) -> Any:
    """The value of `model`'s field `name` in the raw mapping `data`, validated (its default when
    absent), or `INVALID` when the model would refuse it or `data` is not a mapping."""
    if not isinstance(data, Mapping):
        return INVALID
    info = model.model_fields[name]
    if name not in data:
        return INVALID if info.is_required() else info.get_default(call_default_factory=True)
    try:
        return _adapter(model, name).validate_python(data[name])
    except ValidationError:
        return INVALID


def mapping(data: object, key: str) -> Mapping[str, Any] | None:
    """`data[key]` when both are mappings, else None (a wrong shape is the model's error)."""
    if not isinstance(data, Mapping):
        return None
    value = data.get(key)
    return value if isinstance(value, Mapping) else None


_TEXT: TypeAdapter[str] = TypeAdapter(Text, config=ConfigDict(strict=True))


def is_text(value: object) -> bool:
    """Whether `value` is valid where the models take `Text` (a non-blank string)."""
    try:
        _TEXT.validate_python(value)
    except ValidationError:
        return False
    return True
