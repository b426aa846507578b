"""Finished orders are kept only as far as the lifecycle facts read them: the same facts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from reconciler.lifecycle import is_terminal
from reconciler.reporting import fetch_report_live
from reconciler.reporting.facts import all_facts
from reconciler.reporting.fetch import report_fields
from tests.drift.scenario import SCENARIO_TODAY, build_scenario
from tests.drift.world import ACCOUNT, PIN, ReportWorld


def test_cut_down_finished_orders_give_the_facts_of_the_full_orders(world: ReportWorld) -> None:
    build_scenario(world)
    desired = world.load()
    today = date.fromisoformat(SCENARIO_TODAY)
    with world.client() as client:
        [done] = [s for s in client.list_orders() if s.status == "COMPLETED"]
        client.add_note(int(done.id), "Ported early at the customer's request")
        live = fetch_report_live(client, desired)
        finished = sorted(i for i, d in live.details.items() if is_terminal(d.get("status")))
        full = {i: client.get_order(i).raw for i in finished}
    assert len(finished) == 2  # done-chicago (COMPLETED), gone-evanston (CANCELED)
    for order_id, detail in full.items():
        assert live.details[order_id] == report_fields(detail)
        assert PIN in json.dumps(detail)  # the full order holds the secrets
        kept = json.dumps(live.details[order_id])
        assert PIN not in kept
        assert ACCOUNT not in kept
    whole = replace(live, details={**live.details, **full})
    cut = all_facts(desired.orders, live, (), today=today)
    assert cut == all_facts(desired.orders, whole, (), today=today)
    [completed] = [f for f in cut if f.status == "COMPLETED"]
    assert [n.text for n in completed.notes] == ["Ported early at the customer's request"]
    assert completed.foc_dates
    assert completed.port_date
    assert completed.groups


def test_drift_works_out_no_early_number_digests(world: ReportWorld) -> None:
    """Drift reads every finished order along with the open ones: it does not work out a
    numbers digest of each as it arrives (plan does, to compare while reading; issue 12),
    which nothing would use for the finished ones."""
    build_scenario(world)
    with world.client() as client:
        live = fetch_report_live(client, world.load())
    assert any(not is_terminal(d.get("status")) for d in live.details.values())
    assert live.number_digests == {}
