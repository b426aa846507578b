"""`import`: adopt live orders into specs, one spec file per order a spec can manage.

Which orders: every live order, narrowed by status, reference prefix and order ids. Which of
them can become a spec: identity is `referencePrefix + metadata.name`
(docs/design.md#spec-format), so

* orders sharing a reference give one spec, for the current order (the open one, else the
  newest); the others are history and are listed as skipped;
* two open orders with one reference are a conflict: no spec, the user must decide;
* an order without a reference, or whose reference minus the prefix is not a valid spec
  name, cannot be managed as it stands: a spec under another name would never match it (plan
  would create a second order for its numbers). It is skipped, each on its own (orders
  without a reference share nothing), with what the user can do about it: while the order is
  PENDING its reference can still be set in Sinch, after that it finishes without portctl.

Reads only (list and get). Files are written only under `out_dir`; an existing file is kept
unless `overwrite`. Secret values never leave memory: specs hold `${VARIABLE}` references.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from reconciler.api import PortingClient
from reconciler.apidefaults import MAX_PAGE_SIZE
from reconciler.importing.build import ImportedSpec, SecretUse, spec_from_order
from reconciler.importing.naming import adoptable_name, derived_name
from reconciler.importing.writer import dump_settings, dump_spec, schema_reference
from reconciler.lifecycle import (
    OrderStatus,
    current_order,
    is_changeable,
    is_locked,
    is_open,
    order_status,
)
from reconciler.live import LiveOrderSummary, live_summary

SETTINGS_FILE = "portctl.yaml"


@dataclass(frozen=True)
class ImportFilters:
    """Which live orders to import (empty means no restriction)."""

    statuses: frozenset[str] = frozenset()
    reference_prefix: str = ""
    order_ids: frozenset[int] = frozenset()
    names: Mapping[int, str] = field(default_factory=dict)
    """`--name ORDER_ID=NAME`: import that order (it is selected too) as spec NAME."""

    def accepts(self, summary: LiveOrderSummary) -> bool:
        """The order passes every filter (a named order is selected whatever its reference)."""
        ids = self.order_ids | set(self.names)
        return (
            (not self.statuses or summary.status in self.statuses)
            and (summary.id in self.names or summary.reference.startswith(self.reference_prefix))
            and (not ids or summary.id in ids)
        )


@dataclass(frozen=True)
class Skipped:
    """A selected order that got no spec, why, and what the user can do about it."""

    order_id: int
    reference: str
    status: str
    reason: str
    hint: str

    def describe(self) -> str:
        """`order 123 PENDING ('Legacy #9'): why` (the hint goes on a line of its own)."""
        reference = repr(self.reference) if self.reference else "no reference"
        return f"order {self.order_id} {self.status} ({reference}): {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote and what it left out."""

    specs: tuple[ImportedSpec, ...] = ()
    written: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    settings: Path | None = None
    warnings: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    """Hints for a better import (a shared reference prefix to pass as --reference-prefix)."""

    @property
    def variables(self) -> tuple[SecretUse, ...]:
        """Every `${VARIABLE}` the written specs need, in file order."""
        return tuple(use for spec in self.specs for use in spec.secrets)


class ImportRefused(Exception):
    """The import cannot proceed (e.g. a conflicting `portctl.yaml` in the output folder)."""


def existing_prefix(out_dir: Path) -> str | None:
    """`referencePrefix` of a `portctl.yaml` already in `out_dir` (None when there is none)."""
    path = out_dir / SETTINGS_FILE
    if not path.is_file():
        return None
    data = YAML(typ="safe", pure=True).load(path.read_text("utf-8")) or {}
    spec = data.get("spec") if isinstance(data, dict) else None
    prefix = spec.get("referencePrefix", "") if isinstance(spec, dict) else ""
    return str(prefix or "")


def choose(
    summaries: Iterable[LiveOrderSummary], filters: ImportFilters
) -> tuple[list[tuple[str, LiveOrderSummary]], list[Skipped]]:
    """The (spec name, order) pairs to import, and the selected orders left out.

    The current order of a reference is chosen among *all* its orders, then filtered: a spec
    written for an old CANCELED order while a newer one is open would cancel the open one.
    """
    prefix = filters.reference_prefix
    groups: dict[str, list[LiveOrderSummary]] = {}
    skipped: list[Skipped] = []
    chosen: list[tuple[str, LiveOrderSummary]] = []
    for summary in summaries:
        if summary.id in filters.names and filters.accepts(summary):
            named = _named(summary, filters.names[summary.id], prefix)
            if isinstance(named, Skipped):
                skipped.append(named)
            else:
                chosen.append((named, summary))
            continue
        if not summary.reference.startswith(prefix):
            continue
        if summary.reference:
            groups.setdefault(summary.reference, []).append(summary)
        elif filters.accepts(summary):
            skipped.append(_unmanageable(summary, "it has no customerOrderReference", prefix))
    for reference in sorted(groups):
        group = groups[reference]
        selected = [s for s in group if filters.accepts(s)]
        if not selected:
            continue
        current = current_order(group)
        if len(current) > 1:
            ids = ", ".join(str(s.id) for s in current)
            reason = f"{len(current)} open orders share this reference (ids {ids})"
            hint = "cancel the one that is wrong in Sinch (or give it another reference while "
            hint += f"it is {OrderStatus.PENDING}), then import again"
            skipped += [Skipped(s.id, s.reference, s.status, reason, hint) for s in selected]
            continue
        name = adoptable_name(reference, prefix)
        for s in selected:
            if name is None:
                skipped.append(_unmanageable(s, _invalid_name(s, prefix), prefix))
            elif s.id == current[0].id:
                chosen.append((name, s))
            else:
                why = f"superseded by order {current[0].id} ({current[0].status}), same reference"
                hint = f"nothing to do: the spec {name} is written for order {current[0].id}"
                skipped.append(Skipped(s.id, s.reference, s.status, why, hint))
    return chosen, sorted(skipped, key=lambda s: (s.reference, s.order_id))


def _named(summary: LiveOrderSummary, name: str, prefix: str) -> str | Skipped:
    """The spec name `--name` gives an order, or why it cannot be used.

    Plan matches a spec to its order by reference (`prefix + name`). A name whose reference
    differs from the order's still works while the order is PENDING (its reference can be set
    in Sinch; the import says so); after that no spec under that name can ever match it.
    """
    reference = prefix + name
    if reference == summary.reference or is_changeable(summary.status):
        return name
    return Skipped(
        summary.id,
        summary.reference,
        summary.status,
        f"--name {summary.id}={name} needs its reference to be {reference}, and a "
        f"{summary.status} order's reference can no longer change",
        f"import it under its own reference's name (leave out --name), or use "
        f"--reference-prefix so that prefix + NAME is {summary.reference!r}",
    )


def suggested_prefixes(summaries: Iterable[LiveOrderSummary]) -> tuple[str, ...]:
    """`--reference-prefix` hints: a prefix (up to a `/`) that two or more references share
    while the import uses none, so their names would keep the prefix (or be refused)."""
    shared = Counter(
        s.reference[: s.reference.rindex("/") + 1] for s in summaries if "/" in s.reference
    )
    return tuple(
        f"{count} orders share the reference prefix {prefix!r}: pass --reference-prefix "
        f"{prefix} to import them as specs named without it (portctl.yaml records it)"
        for prefix, count in shared.most_common()
        if count >= 2
    )


def _invalid_name(summary: LiveOrderSummary, prefix: str) -> str:
    rest = "after the prefix " if prefix else ""
    derived = derived_name(summary.reference, prefix, summary.id)
    return (
        f"its reference is not a valid spec name {rest}([a-z0-9][a-z0-9._-]*, at most 100 "
        f"characters); a spec named {derived} would have the reference {prefix}{derived} and "
        "never match this order"
    )


def _unmanageable(summary: LiveOrderSummary, reason: str, prefix: str) -> Skipped:
    """A skip for an order no spec can match as it stands, with what the user can do."""
    if is_changeable(summary.status):
        target = prefix + derived_name(summary.reference, prefix, summary.id)
        hint = (
            f"to manage it, set its reference to {target} in Sinch (possible while the order "
            f"is {OrderStatus.PENDING}), then import again"
        )
    elif is_locked(summary.status):
        hint = (
            f"its reference can no longer change ({OrderStatus.CONFIRMED}): it completes "
            "without portctl"
        )
    elif not is_open(summary.status):
        hint = "nothing to do: the order is finished or being canceled"
    else:
        hint = f"check the order in Sinch (status {summary.status} is unknown to portctl)"
    return Skipped(summary.id, summary.reference, summary.status, reason, hint)


def import_orders(
    client: PortingClient,
    out_dir: Path,
    filters: ImportFilters,
    *,
    overwrite: bool = False,
) -> ImportResult:
    """Read the selected live orders and write their specs under `out_dir`."""
    present = existing_prefix(out_dir)
    if present is not None and present != filters.reference_prefix:
        raise ImportRefused(
            f"{out_dir / SETTINGS_FILE} sets referencePrefix {present!r} but the import uses "
            f"{filters.reference_prefix!r}; pass --reference-prefix {present!r} or another "
            "--out-dir"
        )
    rows = [live_summary(r) for r in client.list_orders(page_size=MAX_PAGE_SIZE)]
    chosen, skipped = choose(rows, filters)
    details = client.get_orders([s.id for _, s in chosen])
    specs = [spec_from_order(details[s.id].raw, name=name) for name, s in chosen]
    out_dir.mkdir(parents=True, exist_ok=True)
    schema = schema_reference(out_dir)
    written: list[Path] = []
    kept: list[Path] = []
    for spec in specs:
        path = out_dir / f"{spec.name}.yaml"
        if path.exists() and not overwrite:
            kept.append(path)
            continue
        comment = f"Imported from live order {spec.order_id} ({spec.status})."
        path.write_text(dump_spec(spec.document, schema=schema, comment=comment), "utf-8")
        written.append(path)
    settings = None
    if filters.reference_prefix and present is None:
        settings = out_dir / SETTINGS_FILE
        settings.write_text(dump_settings(filters.reference_prefix), "utf-8")
    warnings = tuple(f"{s.name}: {w}" for s in specs for w in s.warnings)
    warnings += tuple(
        f"{name}: order {s.id}'s reference is {s.reference!r}, not "
        f"{filters.reference_prefix + name!r}; plan matches by reference, so set it to "
        f"{filters.reference_prefix + name} in Sinch (possible while the order is "
        f"{OrderStatus.PENDING}) before planning"
        for name, s in chosen
        if filters.reference_prefix + name != s.reference
    )
    suggestions = (
        ()
        if filters.reference_prefix
        else suggested_prefixes(s for s in rows if filters.accepts(s))
    )
    return ImportResult(
        specs=tuple(specs),
        written=tuple(written),
        kept=tuple(kept),
        skipped=tuple(skipped),
        settings=settings,
        warnings=warnings,
        suggestions=suggestions,
    )


def parse_statuses(values: Sequence[str]) -> frozenset[str]:
    """`("pending,confirmed", "completed")` -> those three statuses (any case; unknown ones
    are kept, and simply match no order)."""
    return frozenset(
        order_status(part) for value in values for part in value.split(",") if part.strip()
    )


__all__ = [
    "ImportFilters",
    "ImportRefused",
    "ImportResult",
    "Skipped",
    "choose",
    "import_orders",
    "parse_statuses",
]
