"""HTTPS only, except for loopback hosts (a local emulator).

Credentials and PINs travel in every request, so plain `http://` to anything but this machine
is refused up front with an error naming the setting, rather than sent once by mistake.
"""

from __future__ import annotations

import ipaddress

import httpx

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class InsecureURLError(ValueError):
    """A configured URL is not HTTPS and does not point at this machine."""


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, *, what: str) -> httpx.URL:
    """Parse `url`; raise `InsecureURLError` unless it is https, or http to a loopback host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InsecureURLError(f"{what}: {url!r} is not a valid URL ({exc})") from exc
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and is_loopback(parsed.host):
        return parsed
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise InsecureURLError(
            f"{what}: {url!r} is not a full URL; give scheme and host, "
            "e.g. https://porting.api.sinch.com"
        )
    raise InsecureURLError(
        f"{what}: {url!r} refused; use https:// (plain http:// is only allowed for loopback "
        "hosts such as 127.0.0.1 or localhost, e.g. a local `portctl emulator serve`)"
    )
