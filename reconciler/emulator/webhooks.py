"""Best-effort delivery of porting webhooks (the emulator's default `webhook_sender`).

Sinch documents no signing, retries or expected answer for porting webhooks, so the emulator
POSTs the JSON once with a short timeout, only to http(s) URLs, and never lets a delivery
failure affect the API call that caused the event (errors are logged). By default only
loopback hosts are called (`EmulatorConfig.webhooks_loopback_only`): a demo or CI run against
the emulator must not post to a real host named in a spec's `webhookUrl`.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from reconciler.api.urls import is_loopback

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


def post_webhook(url: str, payload: dict[str, Any], *, loopback_only: bool = False) -> None:
    """POST `payload` to `url`; log, never raise. Non-http(s) URLs are skipped, and so are
    non-loopback hosts when `loopback_only`."""
    if not url.startswith(("http://", "https://")):
        log.info("webhook %s not sent: %s is not an http(s) URL", payload.get("type"), url)
        return
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL:
        log.info("webhook %s not sent: %s is not a valid URL", payload.get("type"), url)
        return
    if loopback_only and not is_loopback(host):
        log.info("webhook %s not sent: %s is not a loopback host", payload.get("type"), host)
        return
    try:
        response = httpx.post(url, json=payload, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        log.warning("webhook %s to %s failed: %s", payload.get("type"), url, type(exc).__name__)
        return
    if response.is_error:
        log.warning("webhook %s to %s answered %s", payload.get("type"), url, response.status_code)
