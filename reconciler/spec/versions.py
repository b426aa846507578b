"""`apiVersion` dispatch: which models read a document, and how it becomes the latest version.

Each supported version registers its models per `kind` and a migration that turns a validated
document of that version into the latest version's model. Adding `portctl/v2` means adding its
models, pointing `LATEST` at it, and giving v1 a migration to v2; the rest of portctl only ever
sees latest-version models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from reconciler.spec import v1


@dataclass(frozen=True)
class ApiVersion:
    """The models of one spec format version and its migration to the latest version."""

    kinds: Mapping[str, type[BaseModel]]
    migrate: Callable[[BaseModel], BaseModel]


def _identity(document: BaseModel) -> BaseModel:
    """v1 is the latest version: nothing to migrate."""
    return document


REGISTRY: Mapping[str, ApiVersion] = {
    v1.API_VERSION: ApiVersion(kinds=v1.KINDS, migrate=_identity),
}
LATEST = v1.API_VERSION


def supported_versions() -> str:
    """The supported versions, for error messages."""
    return ", ".join(sorted(REGISTRY))
