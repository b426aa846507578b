"""`portctl doctor --api`: probe, read-only, how the live API reads what its documents leave open.

Each probe finds which reading of one unknown the API follows (the names and values of
`reconciler.emulator.variants`, listed in docs/api-notes.md#what-we-assume-about-the-sinch-api),
using only GETs on orders that already exist:

* `paging`: pages 1 and 2 with `pageSize=1`, then page 0: repeated orders mean `page` is
  ignored, a distinct page 0 means 0-based (needs two orders);
* `secrets-on-read`: the port-out PINs and account numbers of a few orders: shown, masked or
  left out;
* `reference-filter`: an order's reference without its last character as the filter: finding
  that order means a substring match;
* `foc-date` and `phone-groups`: the shape of a `focDate` and whether the skill-only endpoint
  answers.

What only a write could show (`activation-key`, `normalise`, `list-lag`) is reported as not
probed: confirm those with Sinch or a sandbox. Secret values are never printed or kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.api import ApiError, PortingClient
from reconciler.api.errors import NotFound
from reconciler.compare import is_masked
from reconciler.desired import SECRET_FIELDS
from reconciler.emulator.variants import VARIANTS

SAMPLE_ORDERS = 5
"""Orders read to see whether GET returns secrets."""
NOT_PROBED = ("activation-key", "normalise", "list-lag")


@dataclass(frozen=True)
class Finding:
    """One probe's answer: the reading found (a variant value), or None with why not."""

    name: str
    value: str | None
    detail: str

    @property
    def assumed(self) -> bool:
        """Whether the API reads this point the way portctl assumes (the emulator default)."""
        return self.value is None or self.value == VARIANTS[self.name].default


def _ids(body: Any) -> list[Any]:
    orders = body.get("orders") if isinstance(body, Mapping) else None
    return [o.get("id") for o in orders or () if isinstance(o, Mapping)]


def probe_paging(get: Callable[..., Any]) -> Finding:
    """Pages 1, 2 and 0 of a one-order page size."""
    first = get("/orders/portIns", pageSize=1, page="1")
    total = first.get("totalItems") if isinstance(first, Mapping) else None
    if not isinstance(total, int) or total < 2:
        return Finding("paging", None, f"needs at least 2 orders (totalItems={total})")
    second = _ids(get("/orders/portIns", pageSize=1, page="2"))
    if second == _ids(first):
        return Finding("paging", "ignore", "page=2 answers the orders of page=1")
    try:
        zero = _ids(get("/orders/portIns", pageSize=1, page="0"))
    except ApiError as exc:
        return Finding("paging", "one-based", f"page=0 is refused ({exc.status}), page=1 first")
    if zero and zero != _ids(first):
        return Finding("paging", "zero", "page=0 answers orders page=1 does not: 0-based")
    return Finding("paging", "one-based", "page=1 is the first page, page=2 the next")


def _secret_leaves(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        found: list[Any] = []
        for key, inner in value.items():
            found += [inner] if key in SECRET_FIELDS else _secret_leaves(inner)
        return found
    if isinstance(value, list):
        return [leaf for item in value for leaf in _secret_leaves(item)]
    return []


def probe_secrets(orders: Sequence[Mapping[str, Any]]) -> Finding:
    """Secret fields of sampled orders: any value shown, only masks, or none at all."""
    leaves = [leaf for order in orders for leaf in _secret_leaves(order.get("phoneNumbers"))]
    read = f"{len(orders)} order(s) read"
    if not orders:
        return Finding("secrets-on-read", None, "no order to read")
    if any(not is_masked(v) for v in leaves):
        return Finding("secrets-on-read", "return", f"GET shows secret values ({read})")
    if leaves:
        return Finding("secrets-on-read", "mask", f"GET masks every secret ({read})")
    return Finding("secrets-on-read", "omit", f"no secret field in any answer ({read})")


def probe_reference_filter(get: Callable[..., Any], orders: Sequence[Mapping[str, Any]]) -> Finding:
    """Filter by an order's reference minus its last character."""
    sample = next((o for o in orders if len(str(o.get("customerOrderReference") or "")) >= 2), None)
    if sample is None:
        return Finding("reference-filter", None, "needs an order with a reference")
    reference = str(sample["customerOrderReference"])
    found = _ids(get("/orders/portIns", pageSize=1000, customerOrderReference=reference[:-1]))
    if sample.get("id") in found:
        return Finding("reference-filter", "substring", "a shortened reference finds the order")
    return Finding("reference-filter", "exact", "a shortened reference does not find the order")


def probe_foc_date(orders: Sequence[Mapping[str, Any]]) -> Finding:
    """The shape of the first `focDate` seen."""
    foc = next(
        (
            str(n["focDate"])
            for o in orders
            for n in o.get("phoneNumbers") or ()
            if isinstance(n, Mapping) and n.get("focDate")
        ),
        None,
    )
    if foc is None:
        return Finding("foc-date", None, "no number with a focDate yet")
    return Finding("foc-date", "date" if len(foc) == 10 else "date-time", f"focDate like {foc}")


def probe_phone_groups(get: Callable[..., Any], orders: Sequence[Mapping[str, Any]]) -> Finding:
    """Whether the skill-only `phoneGroups` endpoint answers for an existing order."""
    if not orders:
        return Finding("phone-groups", None, "no order to ask about")
    try:
        get(f"/orders/portIns/phoneGroups/{orders[0].get('id')}")
    except NotFound:
        return Finding("phone-groups", "absent", "GET /orders/portIns/phoneGroups/{id} is 404")
    return Finding("phone-groups", "served", "GET /orders/portIns/phoneGroups/{id} answers")


def run_probes(client: PortingClient) -> list[Finding]:
    """Every probe, in the order docs/api-notes.md lists the variants (reads only)."""

    def get(path: str, **params: Any) -> Any:
        return client.get_json(path, params={k: str(v) for k, v in params.items()})

    listed = _ids(get("/orders/portIns", pageSize=SAMPLE_ORDERS, page="1"))
    if not listed:  # a 0-based API answers page 1 with the second page, maybe empty
        try:
            listed = _ids(get("/orders/portIns", pageSize=SAMPLE_ORDERS, page="0"))
        except ApiError:
            listed = []
    ids = [int(i) for i in listed if isinstance(i, int)]
    orders = [order.raw for order in client.get_orders(ids).values()]  # read side by side
    findings = [
        probe_paging(get),
        probe_secrets(orders),
        probe_reference_filter(get, orders),
        probe_foc_date(orders),
        probe_phone_groups(get, orders),
    ]
    findings += [
        Finding(name, None, "not probed: only a write could tell; confirm with Sinch")
        for name in NOT_PROBED
    ]
    return findings
