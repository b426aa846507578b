"""Tunable behaviour of the emulator, kept in one JSON-safe dataclass.

Every knob that a test or a demo may want to turn (carrier delays, which PINs the losing
carrier rejects, accepted credentials, paging limits) lives here, so that the state machine
has no magic numbers and a saved state file remembers how its world was configured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from reconciler.emulator.variants import VARIANTS, duration_seconds

DEFAULT_REJECT_PINS: dict[str, str] = {"0000": "Invalid port-out PIN"}


@dataclass(frozen=True)
class EmulatorConfig:
    """How the fake Sinch behaves; defaults match docs/design.md#cli (`SINCH_ACCESS_TOKEN=x`)."""

    confirm_after_business_days: int = 1
    """A carrier group answers (confirm or reject) this many business days after submission."""
    confirm_after_hours: int = 0
    """Extra wall-clock hours added to the business-day delay (0 = same time of day)."""
    foc_lead_days: int = 2
    """FOC date = max(desired port date, confirmation date + this many days)."""
    cancel_after_hours: int = 24
    """DELETE moves an order to PENDING_CANCELATION; it becomes CANCELED this much later."""
    reject_pins: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_REJECT_PINS))
    """existingPortOutPin value -> rejectReason the losing carrier answers with."""
    static_tokens: tuple[str, ...] = ("x",)
    """Bearer tokens accepted forever (no expiry)."""
    client_id: str = "demo-key"
    client_secret: str = "demo-secret"  # noqa: S105 - fake credential of the fake API
    token_lifetime_seconds: int = 3600
    page_size_default: int = 100
    page_size_max: int = 1000
    max_numbers_per_order: int = 500
    max_portability_batch: int = 1000
    max_reference_length: int = 100
    max_document_bytes: int = 10 * 1024 * 1024
    group_size: int = 100
    """A carrier's numbers in one order are split into activation groups of this size."""
    fill_default_schedule: bool = True
    """GET shows desiredPortTime/TimeZone filled in from the project configuration or system."""
    foc_as_datetime: bool = True
    """focDate as `YYYY-MM-DDT00:00:00Z` (OpenAPI); False gives the skill's plain date."""
    configuration_post_conflicts: bool = True
    """POST /configuration when one exists: 409 (True) or overwrite (False)."""
    webhooks_loopback_only: bool = True
    """The default sender only calls 127.0.0.1/::1/localhost (never a real host from a spec)."""
    request_log_limit: int = 2000
    webhook_log_limit: int = 2000
    variants: dict[str, str] = field(default_factory=dict)
    """Readings of the API other than the emulator's own (`reconciler.emulator.variants`)."""

    def variant(self, name: str) -> str:
        """The value in force for variant `name` (its default unless chosen)."""
        return self.variants.get(name) or VARIANTS[name].default

    def lag_seconds(self) -> float:
        """How long a new order stays out of the order list (variant `list-lag`)."""
        return duration_seconds(self.variant("list-lag"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (tuples become lists)."""
        data = asdict(self)
        data["static_tokens"] = list(self.static_tokens)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmulatorConfig:
        """Inverse of `to_dict`; unknown keys are ignored so old state files keep loading."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        if "static_tokens" in kwargs:
            kwargs["static_tokens"] = tuple(kwargs["static_tokens"])
        if "variants" in kwargs:
            kwargs["variants"] = dict(kwargs["variants"])
        if "reject_pins" in kwargs:
            kwargs["reject_pins"] = dict(kwargs["reject_pins"])
        return cls(**kwargs)
