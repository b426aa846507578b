"""Stand-in for `curl` talking to GitLab's merge-request notes API, backed by a JSON file.

Why a fake: the GitLab example finds its one plan note by marker and edits it, else creates it;
that logic is tested offline. Only the calls the example makes exist (list, create and edit
notes of one merge request, with a PRIVATE-TOKEN header); any other call exits 22 as `curl -f`
does on an HTTP error, so a change to the example that needs more shows up as a failing test.
State: FAKE_GH_STATE's "comments" (`issue` holds the merge request's iid).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

NOTES = re.compile(r"^(?P<api>.+)/projects/(?P<project>\d+)/merge_requests/(?P<mr>\d+)/notes")


def main() -> int:
    """Serve one request against the JSON state; 22 (curl's HTTP error code) on anything else."""
    argv = sys.argv[1:]
    with Path(os.environ["FAKE_CALL_LOG"]).open("a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": ["curl", *argv]}) + "\n")
    parser = argparse.ArgumentParser(prog="curl")
    parser.add_argument("-s", "--silent", action="store_true")
    parser.add_argument("-f", "--fail", action="store_true")
    parser.add_argument("--header", "-H", action="append", default=[])
    parser.add_argument("--request", "-X", default="GET")
    parser.add_argument("--data", "-d")
    parser.add_argument("url")
    opts = parser.parse_args(["-s", "-f", *argv[1:]] if argv[:1] == ["-sf"] else argv)
    if "PRIVATE-TOKEN: gitlab-token" not in opts.header:
        return 22
    state_file = Path(os.environ["FAKE_GH_STATE"])
    state: dict[str, Any] = json.loads(state_file.read_text(encoding="utf-8"))
    path, _, query = opts.url.partition("?")
    match = NOTES.match(path)
    if match is None:
        return 22
    mr = int(match["mr"])
    rest = path[match.end() :]
    notes: list[dict[str, Any]] = state["comments"]
    if opts.request == "GET" and rest == "" and query == "per_page=100":
        print(json.dumps([{"id": n["id"], "body": n["body"]} for n in notes if n["issue"] == mr]))
    elif opts.request == "POST" and rest == "":
        new_id = max([100, *(n["id"] for n in notes)]) + 1
        notes.append({"id": new_id, "issue": mr, "body": json.loads(opts.data)["body"]})
        print(json.dumps(notes[-1]))
    elif opts.request == "PUT" and rest.startswith("/"):
        note = next(n for n in notes if n["id"] == int(rest[1:]) and n["issue"] == mr)
        note["body"] = json.loads(opts.data)["body"]
        print(json.dumps(note))
    else:
        return 22
    state_file.write_text(json.dumps(state), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
