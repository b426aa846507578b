"""`ApiSession`: the executor's view of the API client, recording every call per item.

The audit log and the outcome table say which API calls each item made; the client only
counts calls per method. This thin facade forwards the few calls apply needs and records each
one (operation, method, path, result) in the list of the item being executed. It adds no logic
of its own: retries and error classes are the client's (`reconciler.api`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from reconciler.api import (
    ActivationGroup,
    ApiError,
    Configuration,
    Order,
    OrderSummary,
    OutcomeUnknown,
    PortabilityCheckResult,
    PortingClient,
)
from reconciler.api.errors import TransportFailure
from reconciler.apply.outcomes import ApiCall

T = TypeVar("T")


def _result_of(exc: ApiError) -> str:
    if isinstance(exc, OutcomeUnknown):
        return "outcome-unknown"
    if isinstance(exc, TransportFailure) or exc.status is None:
        return "no-answer"
    return str(exc.status)


class ApiSession:
    """Forwards to a `PortingClient` and records the calls of the current item."""

    def __init__(self, client: PortingClient) -> None:
        self._client = client
        self.calls: list[ApiCall] = []

    def begin_item(self) -> None:
        """Start recording a new item's calls."""
        self.calls = []

    def _run(self, operation: str, method: str, path: str, call: Callable[[], T]) -> T:
        try:
            value = call()
        except ApiError as exc:
            self.calls.append(ApiCall(operation, method, path, _result_of(exc)))
            raise
        self.calls.append(ApiCall(operation, method, path, "ok"))
        return value

    def list_orders(
        self, *, reference: str | None = None, phone_number: str | None = None
    ) -> list[OrderSummary]:
        """Orders with this reference and/or holding this number."""
        query = "&".join(
            f"{k}={v}"
            for k, v in (("customerOrderReference", reference), ("phoneNumber", phone_number))
            if v is not None
        )
        return self._run(
            "list_orders",
            "GET",
            f"/orders/portIns?{query}",
            lambda: self._client.list_orders(reference=reference, phone_number=phone_number),
        )

    def get_order(self, order_id: int) -> Order:
        """One order, fully."""
        return self._run(
            "get_order",
            "GET",
            f"/orders/portIns/{order_id}",
            lambda: self._client.get_order(order_id),
        )

    def check_portability(self, numbers: Sequence[str]) -> list[PortabilityCheckResult]:
        """Portability of the numbers of an order about to be created."""
        return self._run(
            "check_portability",
            "POST",
            "/portabilityChecks",
            lambda: self._client.check_portability(numbers),
        )

    def create_order(self, body: Mapping[str, Any]) -> Order:
        """POST an order (sent once; `OutcomeUnknown` when its fate is unknown)."""
        return self._run(
            "create_order", "POST", "/orders/portIns", lambda: self._client.create_order(body)
        )

    def update_order(self, order_id: int, body: Mapping[str, Any]) -> Order:
        """PUT the full order."""
        return self._run(
            "update_order",
            "PUT",
            f"/orders/portIns/{order_id}",
            lambda: self._client.update_order(order_id, body),
        )

    def cancel_order(self, order_id: int) -> None:
        """DELETE the order."""
        self._run(
            "cancel_order",
            "DELETE",
            f"/orders/portIns/{order_id}",
            lambda: self._client.cancel_order(order_id),
        )

    def add_note(self, order_id: int, text: str) -> None:
        """POST a note."""
        self._run(
            "add_note",
            "POST",
            f"/orders/portIns/{order_id}/notes",
            lambda: self._client.add_note(order_id, text),
        )

    def upload_document(
        self, order_id: int, *, name: str, description: str, content: bytes
    ) -> None:
        """POST a document."""
        self._run(
            "upload_document",
            "POST",
            f"/orders/portIns/{order_id}/documents",
            lambda: self._client.upload_document(
                order_id, name=name, description=description, content=content
            ),
        )

    def available_activations(self, order_id: int) -> list[ActivationGroup]:
        """Groups offered for activation now."""
        return self._run(
            "available_activations",
            "GET",
            f"/orders/portIns/{order_id}/availableActivations",
            lambda: self._client.available_activations(order_id),
        )

    def activate(self, order_id: int, groups: Sequence[str]) -> None:
        """Activate the named groups (never the whole order implicitly)."""
        self._run(
            "activate",
            "POST",
            f"/orders/portIns/{order_id}/activate",
            lambda: self._client.activate(order_id, list(groups)),
        )

    def get_configuration(self) -> Configuration | None:
        """The project configuration, None when none exists."""
        return self._run(
            "get_configuration", "GET", "/configuration", self._client.get_configuration
        )

    def create_configuration(self, body: Mapping[str, Any]) -> None:
        """POST the configuration."""
        self._run(
            "create_configuration",
            "POST",
            "/configuration",
            lambda: self._client.create_configuration(body),
        )

    def update_configuration(self, body: Mapping[str, Any]) -> None:
        """PUT the configuration."""
        self._run(
            "update_configuration",
            "PUT",
            "/configuration",
            lambda: self._client.update_configuration(body),
        )
