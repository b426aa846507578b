"""The end-to-end benchmark of issue 12 still runs and measures something real.

`tests/bench/` is not collected (benchmarks are run by hand), so without this test a change to
the CLI or the emulator could break the benchmark unnoticed. A tiny world, one run of plan and
apply at 10 ms latency (the validate and drift steps use the same machinery): the call counts
must be the API's own and sit at or above the lower bound, which must be positive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bench import bench_cli

ROW = re.compile(
    r"^(?P<step>plan|apply \(\d+ creates\))\s+(?P<calls>\d+)\s+(?P<bound>\d+)\s+"
    r"(?P<median>[\d.]+)\s+(?P<min>[\d.]+)\s+(?P<api>[\d.]+)\s+\S+\s+\S+\s+(?P<rss>\d+)\s+"
    r"(?P<cpu>[\d.]+)\s+(?P<server_cpu>[\d.]+|-)$",
    re.MULTILINE,
)


@pytest.mark.slow
def test_bench_prints_real_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--orders", "20", "--runs", "1", "--latency-ms", "10", "--steps", "plan,apply"]
    bench_cli.main([*args, "--world", str(tmp_path)])

    printed = capsys.readouterr().out
    rows = {m["step"].split()[0]: m for m in ROW.finditer(printed)}
    assert set(rows) == {"plan", "apply"}, printed
    plan, apply = rows["plan"], rows["apply"]
    # 20 orders: one list page, the configuration, and a GET of each of the 4 open orders.
    assert int(plan["bound"]) == 6
    assert int(plan["calls"]) >= int(plan["bound"])
    assert int(apply["calls"]) >= int(apply["bound"]) > 0
    for row in (plan, apply):
        assert float(row["median"]) > 0
        assert float(row["api"]) > 0
        assert int(row["rss"]) > 10  # a Python process, not a zero from a missing measurement
        assert float(row["cpu"]) > 0  # importing portctl alone takes CPU time
    assert "API calls per create" in printed
    # apply's ratio, round by round, beside the validate of the same round (one round here)
    assert re.search(r"^apply \(\d+ creates\): ratio of each round \d+\.\d{3}$", printed, re.M)
