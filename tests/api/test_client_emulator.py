"""Every `PortingClient` method against the in-process emulator (contract-checked, see conftest)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from reconciler.api import ActivationGroup, PortingClient, errors
from reconciler.emulator import Emulator, Fault
from reconciler.lifecycle import NumberStatus, OrderStatus, is_terminal, number_status
from tests.api.bodies import order_body
from tests.api.conftest import BASE_URL, RecordingTransport, demo_client


def test_check_portability_reports_each_number(client: PortingClient, emu: Emulator) -> None:
    emu.mark_nonportable(["+13125550142"])
    answers = client.check_portability(["+13125550141", "+13125550142"])
    assert [(a.phone_number, a.portable) for a in answers] == [
        ("+13125550141", True),
        ("+13125550142", False),
    ]
    assert answers[0].raw["carrier"]
    assert answers[1].reason


def test_create_then_get_round_trips_the_order(client: PortingClient) -> None:
    created = client.create_order(order_body(["+13125550141", "+13125550143"]))
    assert created.status == OrderStatus.PENDING
    fetched = client.get_order(created.id)
    assert fetched.customer_order_reference == "gitops/acme"
    numbers = fetched.raw["phoneNumbers"]
    assert [n["phoneNumber"] for n in numbers] == ["+13125550141", "+13125550143"]
    assert all(number_status(n["status"]) == NumberStatus.PENDING for n in numbers)
    assert all(n["phoneNumberGroup"] for n in numbers)
    assert fetched.raw["phoneNumbers"][0]["portOutInfo"]["existingPortOutPin"] == "9731"
    assert client.calls == {"create_order": 1, "get_order": 1}


def test_get_unknown_order_is_not_found(client: PortingClient) -> None:
    with pytest.raises(errors.NotFound) as caught:
        client.get_order(424242)
    assert str(caught.value).startswith("GET /orders/portIns/424242: 404 ")


def test_list_orders_reads_every_page_and_filters(client: PortingClient) -> None:
    ids = [
        client.create_order(order_body([f"+1312555{150 + i:04d}"], reference=f"ref-{i}")).id
        for i in range(5)
    ]
    everything = client.list_orders(page_size=2)
    assert [o.id for o in everything] == ids
    assert client.calls["list_orders"] == 3
    assert everything[0].raw["phoneNumberQuantity"] == 1
    assert [o.id for o in client.list_orders(reference="ref-3")] == [ids[3]]
    assert [o.id for o in client.list_orders(phone_number="+13125550152")] == [ids[2]]
    assert [o.id for o in client.list_orders(order_id=ids[4])] == [ids[4]]
    assert len(client.list_orders(status="pending")) == 5
    assert client.list_orders(status=OrderStatus.COMPLETED) == []
    created_today = client.list_orders(
        created_start=date(2026, 11, 2), created_end=date(2026, 11, 3)
    )
    assert len(created_today) == 5


def test_list_orders_foc_filters(client: PortingClient, emu: Emulator) -> None:
    order = client.create_order(order_body())
    group = order.raw["phoneNumbers"][0]["phoneNumberGroup"]
    assert group is not None
    emu.confirm_group(order.id, group, "2026-11-20")
    assert [o.id for o in client.list_orders(foc_start=date(2026, 11, 19))] == [order.id]
    assert client.list_orders(foc_end=date(2026, 11, 19)) == []


def test_get_orders_reads_in_parallel_over_one_client(
    recorder: RecordingTransport, emu: Emulator
) -> None:
    with demo_client(recorder, max_parallel_reads=3) as client:
        ids = [
            client.create_order(order_body([f"+1312555{200 + i:04d}"], reference=f"r{i}")).id
            for i in range(10)
        ]
        orders = client.get_orders([*ids, ids[0]])
    assert list(orders) == ids
    assert all(orders[i].id == i for i in ids)
    assert client.calls["get_order"] == 10
    assert client.get_orders([]) == {}


def test_get_orders_raises_the_first_failure(client: PortingClient) -> None:
    order = client.create_order(order_body())
    with pytest.raises(errors.NotFound):
        client.get_orders([order.id, 999999])


def test_update_replaces_a_pending_order(client: PortingClient) -> None:
    order = client.create_order(order_body())
    body = order_body(["+13125550141", "+13125550144"], reference="gitops/acme")
    body["loaUploadedBy"] = "Jane Roe"
    updated = client.update_order(order.id, body)
    assert updated.raw["loaUploadedBy"] == "Jane Roe"
    assert len(client.get_order(order.id).raw["phoneNumbers"]) == 2


def test_update_of_a_confirmed_order_is_refused(client: PortingClient, emu: Emulator) -> None:
    order = client.create_order(order_body())
    group = order.raw["phoneNumbers"][0]["phoneNumberGroup"]
    assert group is not None
    emu.confirm_group(order.id, group)
    assert client.get_order(order.id).status == OrderStatus.CONFIRMED
    with pytest.raises(errors.ApiError) as caught:
        client.update_order(order.id, order_body())
    assert caught.value.status in (400, 409)
    assert client.calls["update_order"] == 1


def test_cancel_moves_through_pending_cancelation(client: PortingClient, emu: Emulator) -> None:
    order = client.create_order(order_body())
    client.cancel_order(order.id)
    assert client.get_order(order.id).status == OrderStatus.PENDING_CANCELATION
    emu.advance(timedelta(days=2))
    canceled = client.get_order(order.id)
    assert canceled.status == OrderStatus.CANCELED
    assert is_terminal(canceled.status)


def test_notes_are_added_and_shown_on_the_order(client: PortingClient) -> None:
    order = client.create_order(order_body())
    note = client.add_note(order.id, "LOA signed by the CFO, attached")
    assert note.raw["id"] is not None
    assert note.raw["note"] == "LOA signed by the CFO, attached"
    notes = client.get_order(order.id).raw["notes"]
    assert [n["note"] for n in notes] == ["LOA signed by the CFO, attached"]
    assert notes[0]["createdTime"]


def test_document_upload_and_download_round_trip(client: PortingClient) -> None:
    order = client.create_order(order_body())
    content = bytes(range(256)) * 4
    ref = client.upload_document(
        order.id, name="acme-loa.pdf", description="Letter of authorization", content=content
    )
    assert ref.raw["id"] is not None
    assert ref.raw["documentName"] == "acme-loa.pdf"
    documents = client.get_order(order.id).raw["documents"]
    assert [d["documentName"] for d in documents] == ["acme-loa.pdf"]
    doc = client.download_document(order.id, ref.raw["id"])
    assert doc.content == content
    assert doc.raw["description"] == "Letter of authorization"
    assert doc.raw["contentType"] == "application/pdf"
    assert client.calls["download_document"] == 1


def test_document_download_falls_back_to_the_skill_path(
    client: PortingClient, emu: Emulator, recorder: RecordingTransport
) -> None:
    order = client.create_order(order_body())
    ref = client.upload_document(order.id, name="a.txt", description="", content=b"hello")
    ref_id = ref.raw["id"]
    assert ref_id is not None
    emu.add_fault(Fault(method="GET", path=f"/orders/{order.id}/documents", status=404))
    assert client.download_document(order.id, ref_id).content == b"hello"
    paths = [x.request.url.path for x in recorder.exchanges if x.request.method == "GET"]
    assert paths[-2:] == [
        f"/v1/projects/demo/orders/{order.id}/documents/{ref_id}",
        f"/v1/projects/demo/orders/portIns/{order.id}/documents/{ref_id}",
    ]


def test_missing_document_is_not_found(client: PortingClient) -> None:
    order = client.create_order(order_body())
    with pytest.raises(errors.NotFound) as caught:
        client.download_document(order.id, 777)
    assert f"/orders/{order.id}/documents/777" in str(caught.value)
    assert "portIns" not in caught.value.path


def _confirmed_on_demand(client: PortingClient, emu: Emulator) -> tuple[int, list[str]]:
    numbers = ["+13125550141", "+14155550123"]
    order = client.create_order(order_body(numbers, on_demand=True, port_date="2026-11-05"))
    groups = sorted({n["phoneNumberGroup"] for n in order.raw["phoneNumbers"]})
    for group in groups:
        emu.confirm_group(order.id, group, "2026-11-05")
    return order.id, groups


def test_activation_groups_are_offered_from_the_foc_date(
    client: PortingClient, emu: Emulator
) -> None:
    order_id, groups = _confirmed_on_demand(client, emu)
    assert client.available_activations(order_id) == []
    emu.advance(timedelta(days=3))
    offered = client.available_activations(order_id)
    assert all(isinstance(g, ActivationGroup) for g in offered)
    assert sorted(g.phone_number_group for g in offered) == groups
    numbers = [
        n if isinstance(n, str) else n["phoneNumber"]
        for g in offered
        for n in g.raw["phoneNumbers"]
    ]
    assert sorted(numbers) == ["+13125550141", "+14155550123"]


def test_phone_groups_lists_every_number_by_group(client: PortingClient, emu: Emulator) -> None:
    numbers = ["+13125550141", "+13125550142", "+14155550123"]
    order = client.create_order(order_body(numbers, port_date="2026-11-05"))
    by_number = {n["phoneNumber"]: n["phoneNumberGroup"] for n in order.raw["phoneNumbers"]}
    first = by_number["+13125550141"]
    emu.confirm_group(order.id, first, "2026-11-05")
    groups = client.phone_groups(order.id)
    assert sorted(g.phone_number_group for g in groups) == sorted(set(by_number.values()))
    for group in groups:
        members = group.raw["phoneNumbers"]
        assert {n["phoneNumber"] for n in members} == {
            k for k, v in by_number.items() if v == group.phone_number_group
        }
        confirmed = group.phone_number_group == first
        assert (group.raw.get("focDate") is not None) == confirmed
        wanted = NumberStatus.CONFIRMED if confirmed else NumberStatus.PENDING
        assert {number_status(n["status"]) for n in members} == {wanted}
    with pytest.raises(errors.NotFound):
        client.phone_groups(order.id + 1000)


def test_activate_named_groups_then_the_rest(client: PortingClient, emu: Emulator) -> None:
    order_id, groups = _confirmed_on_demand(client, emu)
    emu.advance(timedelta(days=3))
    first = client.activate(order_id, [groups[0]])
    answered = [(g["phoneNumberGroup"], g["status"]) for g in first.raw["phoneNumberGroups"]]
    assert answered == [(groups[0], NumberStatus.ACTIVATED)]
    assert client.get_order(order_id).status == OrderStatus.CONFIRMED
    if len(groups) > 1:
        client.activate(order_id, None)
    done = client.get_order(order_id)
    assert done.status == OrderStatus.COMPLETED
    assert {number_status(n["status"]) for n in done.raw["phoneNumbers"]} == {
        NumberStatus.ACTIVATED
    }


def test_activate_before_the_foc_is_refused(client: PortingClient, emu: Emulator) -> None:
    order_id, groups = _confirmed_on_demand(client, emu)
    with pytest.raises(errors.ApiError) as caught:
        client.activate(order_id, groups)
    assert caught.value.status in (400, 409)
    assert client.calls["activate"] == 1


def test_configuration_lifecycle(client: PortingClient) -> None:
    assert client.get_configuration() is None
    body = {
        "contact": {"email": "ops@example.com", "name": "Ops", "phone": "+13125550100"},
        "webhookUrl": "https://hooks.example.com/porting",
        "defaultPortTime": "10:00:00",
        "defaultPortTimeZone": "US/Central",
    }
    created = client.create_configuration(body)
    assert created.raw["defaultPortTimeZone"] == "US/Central"
    fetched = client.get_configuration()
    assert fetched is not None
    assert fetched.raw["contact"]["email"] == "ops@example.com"
    updated = client.update_configuration({**body, "defaultPortTime": "11:00:00"})
    assert updated.raw["defaultPortTime"] == "11:00:00"
    with pytest.raises(errors.Conflict):
        client.create_configuration(body)


@pytest.mark.usefixtures("invalid_requests_ok")
def test_invalid_order_is_unprocessable_with_field_violations(client: PortingClient) -> None:
    body = order_body(["+1312555"])
    with pytest.raises(errors.Unprocessable) as caught:
        client.create_order(body)
    assert any("phoneNumber" in v.field for v in caught.value.field_violations)
    assert str(caught.value).startswith("POST /orders/portIns: 422 ")
    assert "9731" not in str(caught.value)
    assert client.calls["create_order"] == 1


def test_user_agent_and_bearer_are_sent(
    client: PortingClient, recorder: RecordingTransport
) -> None:
    client.list_orders()
    request = recorder.exchanges[0].request
    assert request.headers["User-Agent"].startswith("portctl/")
    assert request.headers["Authorization"] == "Bearer x"


def test_a_base_url_that_already_names_the_project_is_used_as_is(
    recorder: RecordingTransport,
) -> None:
    with demo_client(recorder, base_url=f"{BASE_URL}/v1/projects/demo/") as client:
        assert client.list_orders() == []
    assert recorder.exchanges[0].request.url.path == "/v1/projects/demo/orders/portIns"


class IgnoresPage(httpx.BaseTransport):
    """A server that ignores `page` (always answers page 1) while claiming more pages."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_remove_param("page")
        return self.inner.handle_request(request)


def test_paging_refuses_a_page_that_brings_nothing_new(recorder: RecordingTransport) -> None:
    """A server that ignores `page` would hand back 2 of 5 orders as if they were all: a plan
    from that list would create orders that exist, so it is an error naming what to check."""
    with demo_client(IgnoresPage(recorder)) as client:
        for i in range(5):
            client.create_order(order_body([f"+1312555{500 + i:04d}"], reference=f"pg{i}"))
        with pytest.raises(errors.ApiError, match=r"page 2 repeated .*the `page` query parameter"):
            client.list_orders(page_size=2)
        # Page 3 is read alongside page 2 (it may or may not have gone out before page 2 was
        # refused); never a page past the 3 that page 1 announced.
        assert 2 <= client.calls["list_orders"] <= 3


def test_recording_lists_each_logical_call_and_how_it_ended(client: PortingClient) -> None:
    client.create_order(order_body(["+13125550141"], reference="gitops/acme"))
    client.create_order(order_body(["+13125550142"], reference="gitops/other"))
    with client.recording() as calls:
        [order] = client.list_orders(reference="gitops/acme", page_size=1)
        with pytest.raises(errors.NotFound):
            client.get_order(424242)
        assert client.get_configuration() is None
    client.get_order(order.id)
    assert [c.to_dict() for c in calls] == [
        {
            "operation": "list_orders",
            "method": "GET",
            "path": "/orders/portIns?customerOrderReference=gitops/acme",
            "result": "ok",
        },
        {
            "operation": "get_order",
            "method": "GET",
            "path": "/orders/portIns/424242",
            "result": "404",
        },
        {
            "operation": "get_configuration",
            "method": "GET",
            "path": "/configuration",
            "result": "404",
        },
    ]
    assert not any(c.mutating for c in calls)
