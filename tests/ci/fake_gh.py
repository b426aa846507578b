"""Stand-in for the GitHub CLI `gh`, backed by a JSON file instead of api.github.com.

Why a fake: the workflow scripts must find, edit or create exactly one PR comment and one drift
issue; that logic is tested here offline. Only the sub-commands the workflows use exist; any
other call exits 2 so a script change that needs more shows up as a failing test. `--jq`
filters are evaluated by real jq (PyPI `jq`), as gh evaluates them with gojq.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import jq  # type: ignore[import-not-found]  # compiled module, no stubs

STATE = Path(os.environ["FAKE_GH_STATE"])
LOG = Path(os.environ["FAKE_CALL_LOG"])
REPO = os.environ.get("GH_REPO") or os.environ.get("GITHUB_REPOSITORY", "acme/ports")


def _emit(value: Any, jq_filter: str | None) -> None:
    """Print a response body like gh: JSON, or each jq result (strings raw) with --jq."""
    if jq_filter is None:
        print(json.dumps(value))
        return
    for result in jq.compile(jq_filter).input_value(value).all():
        print(result if isinstance(result, str) else json.dumps(result))


def _read_field(fields: list[str], name: str) -> str:
    """The value of `-F name=...`; `@file` reads the file, as gh does."""
    for item in fields:
        key, _, value = item.partition("=")
        if key == name:
            return Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    raise SystemExit(f"fake gh: missing -F {name}=")


def _api(args: list[str], state: dict[str, Any]) -> None:
    """`gh api`: list, edit and create issue comments."""
    parser = argparse.ArgumentParser(prog="gh api")
    parser.add_argument("path")
    parser.add_argument("--method", "-X", default="GET")
    parser.add_argument("--paginate", action="store_true")
    parser.add_argument("--jq", "-q")
    parser.add_argument("--field", "-F", action="append", default=[])
    opts = parser.parse_args(args)
    parts = opts.path.split("/")
    if parts[:3] != ["repos", *REPO.split("/")]:
        raise SystemExit(f"fake gh: wrong repository in {opts.path}")
    rest = parts[3:]
    comments: list[dict[str, Any]] = state["comments"]
    if opts.method == "GET" and rest[0] == "issues" and rest[2:] == ["comments"]:
        _emit([c for c in comments if c["issue"] == int(rest[1])], opts.jq)
    elif opts.method == "PATCH" and rest[:2] == ["issues", "comments"]:
        comment = next(c for c in comments if c["id"] == int(rest[2]))
        comment["body"] = _read_field(opts.field, "body")
        _emit(comment, opts.jq)
    elif opts.method == "POST" and rest[0] == "issues" and rest[2:] == ["comments"]:
        new_id = max([100, *(c["id"] for c in comments)]) + 1
        comment = {"id": new_id, "issue": int(rest[1]), "body": _read_field(opts.field, "body")}
        comments.append(comment)
        _emit(comment, opts.jq)
    else:
        raise SystemExit(2)


def _issue(args: list[str], state: dict[str, Any]) -> None:
    """`gh issue list|create|edit|close`."""
    parser = argparse.ArgumentParser(prog="gh issue")
    parser.add_argument("verb", choices=["list", "create", "edit", "close"])
    parser.add_argument("number", nargs="?", type=int)
    parser.add_argument("--label", action="append", default=[])
    parser.add_argument("--state", default="open")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--json")
    parser.add_argument("--jq", "-q")
    parser.add_argument("--title")
    parser.add_argument("--body-file")
    parser.add_argument("--comment")
    opts = parser.parse_args(args)
    issues: list[dict[str, Any]] = state["issues"]
    if opts.verb == "list":
        found = [
            {key: issue[key] for key in opts.json.split(",")}
            for issue in issues
            if issue["state"] == opts.state and set(opts.label) <= set(issue["labels"])
        ]
        _emit(found[: opts.limit], opts.jq)
        return
    if opts.verb == "create":
        missing = set(opts.label) - set(state["labels"])
        if missing:
            raise SystemExit(f"could not add label: {sorted(missing)} not found")
        number = max((i["number"] for i in issues), default=0) + 1
        body = Path(opts.body_file).read_text(encoding="utf-8")
        issues.append(
            {
                "number": number,
                "title": opts.title,
                "body": body,
                "labels": opts.label,
                "state": "open",
                "comments": [],
            }
        )
        print(f"https://github.com/{REPO}/issues/{number}")
        return
    issue = next(i for i in issues if i["number"] == opts.number)
    if opts.verb == "edit":
        issue["title"] = opts.title or issue["title"]
        if opts.body_file:
            issue["body"] = Path(opts.body_file).read_text(encoding="utf-8")
    else:
        issue["state"] = "closed"
        if opts.comment:
            issue["comments"].append(opts.comment)


def _label(args: list[str], state: dict[str, Any]) -> None:
    """`gh label create NAME [--color C] [--description D] [--force]`."""
    parser = argparse.ArgumentParser(prog="gh label")
    parser.add_argument("verb", choices=["create"])
    parser.add_argument("name")
    parser.add_argument("--color")
    parser.add_argument("--description")
    parser.add_argument("--force", action="store_true")
    opts = parser.parse_args(args)
    if opts.name in state["labels"] and not opts.force:
        raise SystemExit(f"label {opts.name!r} already exists")
    if opts.name not in state["labels"]:
        state["labels"].append(opts.name)


def main() -> int:
    """Dispatch one gh call against the JSON state, then save the state."""
    argv = sys.argv[1:]
    with LOG.open("a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": ["gh", *argv]}) + "\n")
    if "GH_TOKEN" not in os.environ:
        print("gh: To use GitHub CLI in a GitHub Actions workflow, set GH_TOKEN", file=sys.stderr)
        return 4
    state: dict[str, Any] = json.loads(STATE.read_text(encoding="utf-8"))
    handlers = {"api": _api, "issue": _issue, "label": _label}
    if not argv or argv[0] not in handlers:
        print(f"fake gh: unsupported call {argv}", file=sys.stderr)
        return 2
    handlers[argv[0]](argv[1:], state)
    STATE.write_text(json.dumps(state), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
