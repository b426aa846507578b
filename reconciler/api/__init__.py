"""Client of the Sinch Porting API: typed models, typed errors, safe retries, auth.

Import from here; the sub-modules are an implementation detail:
`PortingClient` (client), `StaticToken`/`ClientCredentials` (auth), `RetryPolicy` (retry),
the live models (models; statuses are `reconciler.lifecycle`), and `errors` for the error hierarchy.
"""

from __future__ import annotations

from reconciler.api import errors
from reconciler.api.auth import Auth, ClientCredentials, StaticToken
from reconciler.api.client import DEFAULT_TIMEOUT, PortingClient
from reconciler.api.errors import ApiError, OutcomeUnknown
from reconciler.api.models import (
    ActivationGroup,
    ActivationResult,
    Configuration,
    DocumentRef,
    DownloadedDocument,
    Note,
    Order,
    OrderSummary,
    PhoneNumberGroup,
    PortabilityCheckResult,
)
from reconciler.api.retry import RetryEvent, RetryPolicy
from reconciler.api.urls import InsecureURLError

__all__ = [
    "DEFAULT_TIMEOUT",
    "ActivationGroup",
    "ActivationResult",
    "ApiError",
    "Auth",
    "ClientCredentials",
    "Configuration",
    "DocumentRef",
    "DownloadedDocument",
    "InsecureURLError",
    "Note",
    "Order",
    "OrderSummary",
    "OutcomeUnknown",
    "PhoneNumberGroup",
    "PortabilityCheckResult",
    "PortingClient",
    "RetryEvent",
    "RetryPolicy",
    "StaticToken",
    "errors",
]
