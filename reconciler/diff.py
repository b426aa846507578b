"""Field changes between two essences, with readable paths and no secret values.

A reviewer reads `phoneNumbers[+15551234567].endUser.city: Anytown -> Springfield`, never a
positional list index. deepdiff finds the changes, but it is ~65 times slower than `==` and
has no equality short-cut (guides/libraries.md §2), so it only runs behind a cheap prefilter:
top-level keys and each number are compared with `==` first, and deepdiff sees only the
numbers that differ (`threshold_to_diff_deeper=0`, so replaced keys come out one by one).

Secret fields (`SECRET_FIELDS`) are compared like any other, but a `FieldChange` for one never
holds the old or new value; values that *contain* secrets (a whole number added or removed)
are stored with the secret leaves replaced by a marker. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.desired import SECRET_FIELDS
from reconciler.essence import join_path

ChangeOp = Literal["add", "remove", "change"]

SECRET_MARKER = "(secret)"  # noqa: S105 - a display marker, not a password
"""What a secret leaf looks like inside a redacted value."""

SECRET_CHANGED = "(secret changed)"  # noqa: S105 - a display marker
"""How every renderer shows a change to a secret field."""


@dataclass(frozen=True)
class FieldChange:
    """One difference: `new` is what apply will send, `old` what is live (both redacted)."""

    path: tuple[str, ...]
    op: ChangeOp
    old: Any = None
    new: Any = None
    secret: bool = False

    @property
    def display_path(self) -> str:
        """`phoneNumbers[+15551234567].endUser.city`."""
        return join_path(self.path)

    @property
    def number(self) -> str | None:
        """The E.164 number this change belongs to, if any."""
        if len(self.path) >= 2 and self.path[0] == "phoneNumbers":
            return self.path[1]
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape used by the json renderer and saved plans (already redacted)."""
        data: dict[str, Any] = {"path": self.display_path, "op": self.op}
        if self.secret:
            data["secret"] = True
        else:
            if self.op != "add":
                data["old"] = self.old
            if self.op != "remove":
                data["new"] = self.new
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        """Inverse of `to_dict` (saved plans)."""
        from reconciler.essence import split_path

        return cls(
            path=split_path(str(data["path"])),
            op=data["op"],
            old=data.get("old"),
            new=data.get("new"),
            secret=bool(data.get("secret", False)),
        )


def is_secret_path(path: tuple[str, ...]) -> bool:
    """True when any segment of `path` names a secret field."""
    return any(segment in SECRET_FIELDS for segment in path)


def redact(value: Any) -> Any:
    """A key-sorted copy of `value` whose secret-keyed leaves are replaced by `SECRET_MARKER`."""
    if isinstance(value, Mapping):
        return {
            str(k): (SECRET_MARKER if k in SECRET_FIELDS else redact(value[k]))
            for k in sorted(value, key=str)
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _leaf(path: tuple[str, ...], op: ChangeOp, old: Any, new: Any) -> FieldChange:
    if is_secret_path(path):
        return FieldChange(path=path, op=op, secret=True)
    return FieldChange(path=path, op=op, old=redact(old), new=redact(new))


def _flatten(path: tuple[str, ...], value: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping) and value:
        for key in value:
            yield from _flatten((*path, str(key)), value[key])
    else:
        yield path, value


def _one_sided(path: tuple[str, ...], op: ChangeOp, value: Any) -> Iterator[FieldChange]:
    for leaf_path, leaf in _flatten(path, value):
        if op == "add":
            yield _leaf(leaf_path, "add", None, leaf)
        else:
            yield _leaf(leaf_path, "remove", leaf, None)


def _deep(path: tuple[str, ...], new: Any, old: Any) -> Iterator[FieldChange]:
    """Changes below `path` between two values already known to differ.

    deepdiff is imported here, when first needed: with its own imports (orderly_set,
    cachebox, asyncio) it took 50 ms of every plan's start, a plan with nothing to change
    never needs it, and a plan with changes pays it once (issue 12)."""
    from deepdiff import DeepDiff
    from deepdiff.helper import NotPresent

    if not (isinstance(new, Mapping) and isinstance(old, Mapping)):
        yield _leaf(path, "change", old, new)
        return
    tree = DeepDiff(dict(old), dict(new), view="tree", threshold_to_diff_deeper=0)
    for report_type, levels in tree.items():
        for level in levels:
            sub = (*path, *(str(p) for p in level.path(output_format="list")))
            t1, t2 = level.t1, level.t2
            if isinstance(t1, NotPresent) or report_type.endswith("_added"):
                yield from _one_sided(sub, "add", t2)
            elif isinstance(t2, NotPresent) or report_type.endswith("_removed"):
                yield from _one_sided(sub, "remove", t1)
            elif isinstance(t1, Mapping) and isinstance(t2, Mapping):
                yield from _deep(sub, t2, t1)
            else:
                yield _leaf(sub, "change", t1, t2)


_MISSING: Any = object()


def diff_essence(desired: Mapping[str, Any], live: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Every change that turns `live` into `desired`, sorted by path; `()` when equal.

    Numbers only on one side are one change each (`phoneNumbers[+1...]` added or removed,
    value redacted); inside a number, changes are per leaf.
    """
    if desired == live:
        return ()
    changes: list[FieldChange] = []
    for key in sorted(set(desired) | set(live)):
        new, old = desired.get(key, _MISSING), live.get(key, _MISSING)
        if key == "phoneNumbers" and isinstance(new, Mapping) and isinstance(old, Mapping):
            changes.extend(_number_changes(new, old))
        elif new == old:
            continue
        elif old is _MISSING:
            changes.extend(_one_sided((key,), "add", new))
        elif new is _MISSING:
            changes.extend(_one_sided((key,), "remove", old))
        else:
            changes.extend(_deep((key,), new, old))
    return tuple(sorted(changes, key=lambda c: c.path))


def _number_changes(new: Mapping[str, Any], old: Mapping[str, Any]) -> Iterator[FieldChange]:
    for number in sorted(set(new) | set(old)):
        path = ("phoneNumbers", number)
        if number not in old:
            yield FieldChange(path=path, op="add", new=redact(new[number]))
        elif number not in new:
            yield FieldChange(path=path, op="remove", old=redact(old[number]))
        elif new[number] != old[number]:
            yield from _deep(path, new[number], old[number])
