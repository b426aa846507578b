"""Stand-in for the `portctl` program (and `python` for pip) in tests of the composite action.

Why a fake: these tests are about the wrapper (argument splitting, exit-code mapping, the env
file), not portctl itself. It records its argv and the content of any `--env-file` it was
given (to check the file exists with the right content while portctl runs), prints
FAKE_PORTCTL_STDOUT and exits with FAKE_PORTCTL_EXIT.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> int:
    """Record the call, print the canned output, exit with the canned code."""
    argv = sys.argv[1:]
    record: dict[str, object] = {"argv": [os.environ.get("FAKE_PROGRAM", "portctl"), *argv]}
    if "--env-file" in argv:
        env_file = Path(argv[argv.index("--env-file") + 1])
        record["env_file_content"] = env_file.read_text(encoding="utf-8")
        record["env_file_mode"] = env_file.stat().st_mode & 0o777
    if "PORTCTL_PLAN_KEY" in os.environ:
        record["plan_key_length"] = len(os.environ["PORTCTL_PLAN_KEY"])
    with Path(os.environ["FAKE_CALL_LOG"]).open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    sys.stdout.write(os.environ.get("FAKE_PORTCTL_STDOUT", ""))
    return int(os.environ.get("FAKE_PORTCTL_EXIT", "0"))


if __name__ == "__main__":
    sys.exit(main())
