"""HTTPS only, except loopback hosts."""

from __future__ import annotations

import pytest

from reconciler.api.urls import InsecureURLError, require_secure_url


@pytest.mark.parametrize(
    "url",
    [
        "https://porting.api.sinch.com",
        "http://127.0.0.1:8787",
        "http://127.3.4.5",
        "http://localhost:1",
        "http://[::1]:8787",
    ],
)
def test_allowed(url: str) -> None:
    assert require_secure_url(url, what="SINCH_PORTING_URL").host


@pytest.mark.parametrize(
    "url", ["http://porting.api.sinch.com", "http://10.0.0.1", "ftp://localhost", "localhost:8787"]
)
def test_refused_with_a_message_naming_the_setting(url: str) -> None:
    with pytest.raises(InsecureURLError, match=r"SINCH_PORTING_URL.*https://"):
        require_secure_url(url, what="SINCH_PORTING_URL")


@pytest.mark.parametrize("url", ["garbage", "https://", "localhost:8787", "ftp://localhost"])
def test_malformed_urls_are_told_what_a_full_url_looks_like(url: str) -> None:
    with pytest.raises(InsecureURLError, match=r"not a full URL; give scheme and host"):
        require_secure_url(url, what="SINCH_PORTING_URL")


def test_plain_http_to_a_remote_host_is_refused_as_insecure() -> None:
    with pytest.raises(InsecureURLError, match=r"refused; use https://"):
        require_secure_url("http://porting.api.sinch.com", what="SINCH_PORTING_URL")
