"""Compare a spec's order with the live one, knowing what cannot be compared and what the
server rewrites: the one comparison plan, drift and apply's re-reads share.

Two readings of the API would otherwise make portctl plan the same change forever
(docs/api-notes.md#what-we-assume-about-the-sinch-api):

* **Secrets are write-only here.** A secret field (port-out PINs, account numbers) is compared
  only when both values are known: the spec's is resolved (not `--secrets skip`, which leaves the
  `${...}` reference in the body) and the API returned the live one unmasked. A masked value
  (`****`), or one the API leaves out while it returns no secret of the order at all, is "not
  compared": reported as such, never a change, so an apply settles.
* **Server normalisation.** A text the API stores in its own form (upper-cased city, squeezed
  blanks) equals the spec's once case and blanks are folded; such a difference is "server
  normalised", reported, never a change. The price: a spec edit that only changes case or
  spacing is not sent either (docs/api-notes.md#what-we-assume-about-the-sinch-api says so).

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.desired import SECRET_FIELDS
from reconciler.diff import FieldChange, diff_essence
from reconciler.essence import (
    IgnoreRules,
    PortDefaults,
    join_path,
    order_essence,
    tree_copy,
)
from reconciler.spec.secrets import is_reference

_MASKED = re.compile(r"^[*•xX#.\-]+$")
"""What a masked secret looks like: only mask characters (`****`, `••••`, `XXXX`)."""
_BLANKS = re.compile(r"\s+")

Path = tuple[str, ...]


def fold(text: str) -> str:
    """A text as a normalising server could store it, folded: case and runs of blanks ignored."""
    return _BLANKS.sub(" ", text).strip().casefold()


def same_text(a: str, b: str) -> bool:
    """Whether two texts are equal up to server normalisation (notes, document names)."""
    return fold(a) == fold(b)


def is_masked(value: Any) -> bool:
    """Whether a live secret value is a mask rather than the secret."""
    return isinstance(value, str) and bool(_MASKED.match(value))


@dataclass(frozen=True)
class Comparison:
    """The changes apply would send, and what the comparison had to leave out."""

    changes: tuple[FieldChange, ...] = ()
    not_compared: tuple[tuple[Path, str], ...] = ()
    """Secret paths that could not be compared, each with why (`skipped`, `masked`, ...)."""
    normalised: tuple[FieldChange, ...] = ()
    """Differences the server's normalisation explains (case, blanks): not changes."""

    def not_compared_text(self) -> str:
        """`phoneNumbers[+1...].portOutInfo.existingPortOutPin (masked by the API), ...`."""
        return ", ".join(f"{join_path(path)} ({why})" for path, why in self.not_compared)

    def normalised_text(self) -> str:
        """`phoneNumbers[+1...].endUser.city (stored as 'SPRINGFIELD'), ...`."""
        return ", ".join(f"{c.display_path} (stored as {c.old!r})" for c in self.normalised)


def _secret_leaves(tree: Mapping[str, Any], path: Path = ()) -> Iterator[tuple[Path, Any]]:
    for key, value in tree.items():
        here = (*path, str(key))
        if key in SECRET_FIELDS:
            yield here, value
        elif isinstance(value, Mapping):
            yield from _secret_leaves(value, here)


def _get(tree: Mapping[str, Any], path: Path) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _drop(tree: dict[str, Any], path: Path) -> None:
    node: Any = tree
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


_MISSING: Any = object()


def _uncomparable_secrets(
    wanted: Mapping[str, Any], have: Mapping[str, Any]
) -> list[tuple[Path, str]]:
    """Secret paths of either side that cannot be compared, with why."""
    live_secrets = list(_secret_leaves(have))
    api_returns_secrets = any(not is_masked(v) for _, v in live_secrets)
    out: dict[Path, str] = {}
    for path, value in _secret_leaves(wanted):
        live = _get(have, path)
        if isinstance(value, str) and is_reference(value):
            out[path] = "secrets skipped"
        elif is_masked(live):
            out[path] = "masked by the API"
        elif live is _MISSING and not api_returns_secrets:
            out[path] = "not returned by the API"
    for path, value in live_secrets:
        if is_masked(value) and path not in out:
            out[path] = "masked by the API"
    return sorted(out.items())


def _is_normalised(change: FieldChange) -> bool:
    return (
        change.op == "change"
        and not change.secret
        and isinstance(change.old, str)
        and isinstance(change.new, str)
        and same_text(change.old, change.new)
    )


def compare_essences(wanted: Mapping[str, Any], have: Mapping[str, Any]) -> Comparison:
    """`diff_essence` minus secrets that cannot be compared and server normalisation."""
    if wanted == have:
        return Comparison()
    skipped = _uncomparable_secrets(wanted, have)
    if skipped:
        wanted, have = tree_copy(wanted), tree_copy(have)
        for path, _ in skipped:
            _drop(wanted, path)
            _drop(have, path)
    found = diff_essence(wanted, have)
    return Comparison(
        changes=tuple(c for c in found if not _is_normalised(c)),
        not_compared=tuple(skipped),
        normalised=tuple(c for c in found if _is_normalised(c)),
    )


def compare_order(
    desired: Mapping[str, Any],
    live: Mapping[str, Any],
    *,
    defaults: PortDefaults,
    ignore: IgnoreRules | None,
    same_numbers: bool = False,
) -> Comparison:
    """Compare a desired order body with a live order (both go through `order_essence`).

    `same_numbers`: their number essences are known to be equal (equal
    `essence.numbers_digest`), so when the rest of the essences is equal too the orders are
    settled without working the numbers out. The answer is the full comparison's: ignore
    rules remove the same number paths from equal numbers, so the whole essences are equal
    exactly when the rest is, and equal essences compare to nothing."""
    if same_numbers:
        wanted = order_essence(desired, defaults=defaults, ignore=ignore, numbers=False)
        have = order_essence(live, defaults=defaults, ignore=ignore, numbers=False)
        if wanted == have:
            return Comparison()
    return compare_essences(
        order_essence(desired, defaults=defaults, ignore=ignore),
        order_essence(live, defaults=defaults, ignore=ignore),
    )
