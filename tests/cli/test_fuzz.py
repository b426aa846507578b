"""Fuzzing the two doors hostile input comes in by (issue 10, "Done when").

- `portctl validate` on arbitrary bytes, on arbitrary YAML structures, and on the example spec
  with one subtree replaced by an arbitrary structure: always a verdict (exit 0 or 1, issues
  naming the file), never an internal error or a traceback, never a hang.
- The API client on arbitrary JSON (and non-JSON) answers to every call: a result or an
  `ApiError` naming the call (for a mutation, `OutcomeUnknown`), never anything else.

Examples are bounded (hypothesis profile `portctl`, derandomized) so the suite stays fast; a
wall-clock alarm turns a hang into a failure instead of a stuck run.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.api import ApiError, OutcomeUnknown, PortingClient, StaticToken
from reconciler.cli import main
from reconciler.emulator import Emulator
from tests.cli.hostile import Reply, Seen, emulated, serve

SPECS = Path(__file__).resolve().parents[2] / "specs"
EXAMPLE = yaml.safe_load((SPECS / "acme-hq-main-lines.yaml").read_text())
SECONDS_PER_EXAMPLE = 20


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than `seconds`."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no verdict within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`portctl validate PATH`: (exit code, everything printed)."""
    with time_limit(SECONDS_PER_EXAMPLE), pytest.raises(SystemExit) as exited:
        main(["validate", str(path)])
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out + err


def assert_a_verdict(code: int, printed: str) -> None:
    assert code in (0, 1), printed
    assert "internal error" not in printed
    assert "Traceback" not in printed


FUZZ = settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["portctl/v1", "PortIn", "+13125550101", "${ACME_PORT_PIN}", "2027-01-19"])
)
keys = st.text(max_size=12) | st.sampled_from(
    ["apiVersion", "kind", "metadata", "name", "spec", "phoneNumbers", "defaults", "notes"]
)
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(content=st.binary(max_size=3000))
def test_validate_gives_a_verdict_on_arbitrary_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    spec = tmp_path / "fuzz.yaml"
    spec.write_bytes(content)
    assert_a_verdict(*validate(spec, capsys))


@FUZZ
@given(
    prefix=st.sampled_from([b"", b"apiVersion: portctl/v1\nkind: PortIn\n", b"---\n"]),
    tail=st.binary(max_size=500),
)
def test_validate_gives_a_verdict_on_a_spec_head_and_garbage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prefix: bytes, tail: bytes
) -> None:
    spec = tmp_path / "fuzz.yaml"
    spec.write_bytes(prefix + tail)
    assert_a_verdict(*validate(spec, capsys))


@FUZZ
@given(document=structures)
def test_validate_gives_a_verdict_on_arbitrary_yaml_structures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any
) -> None:
    spec = tmp_path / "fuzz.yaml"
    spec.write_text(yaml.safe_dump(document, allow_unicode=True))
    assert_a_verdict(*validate(spec, capsys))


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


EXAMPLE_PATHS = [p for p in _paths(EXAMPLE) if p]


def _replaced(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(tree))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy


@FUZZ
@given(path=st.sampled_from(EXAMPLE_PATHS), value=structures)
def test_validate_gives_a_verdict_on_the_example_with_one_subtree_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: tuple[Any, ...], value: Any
) -> None:
    spec = tmp_path / "fuzz.yaml"
    spec.write_text(yaml.safe_dump(_replaced(EXAMPLE, path, value), allow_unicode=True))
    assert_a_verdict(*validate(spec, capsys))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["PENDING", "+13125550101", "GW Verizon Grp1", "2027-01-19"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=10)
            | st.sampled_from(
                [
                    "id",
                    "orders",
                    "status",
                    "phoneNumbers",
                    "phoneNumber",
                    "totalPages",
                    "totalItems",
                    "notes",
                    "documents",
                    "desiredPortSchedule",
                    "activationGroups",
                    "phoneNumberGroup",
                    "portable",
                    "fileContent",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)
answers = json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=200)

READS: dict[str, Callable[[PortingClient], object]] = {
    "check_portability": lambda c: c.check_portability(["+13125550101"]),
    "list_orders": lambda c: c.list_orders(),
    "get_order": lambda c: c.get_order(12),
    "get_configuration": lambda c: c.get_configuration(),
    "available_activations": lambda c: c.available_activations(12),
    "phone_groups": lambda c: c.phone_groups(12),
    "download_document": lambda c: c.download_document(12, 3),
}
MUTATIONS: dict[str, Callable[[PortingClient], object]] = {
    "create_order": lambda c: c.create_order({"customerOrderReference": "x"}),
    "update_order": lambda c: c.update_order(12, {"customerOrderReference": "x"}),
    "cancel_order": lambda c: c.cancel_order(12),
    "add_note": lambda c: c.add_note(12, "hello"),
    "upload_document": lambda c: c.upload_document(
        12, name="loa.pdf", description="LOA", content=b"%PDF"
    ),
    "activate": lambda c: c.activate(12, ["GW Verizon Grp1"]),
    "create_configuration": lambda c: c.create_configuration({"webhookUrl": "https://x"}),
    "update_configuration": lambda c: c.update_configuration({"webhookUrl": "https://x"}),
}


def client_answering(status: int, content: bytes) -> PortingClient:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            status, content=content, headers={"Content-Type": "application/json"}
        )
    )
    return PortingClient(
        base_url="http://127.0.0.1", project_id="demo", auth=StaticToken("x"), transport=transport
    )


def outcome_of(call: Callable[[], object]) -> ApiError | None:
    """The `ApiError` the call raised, or None; any other exception propagates (a bug)."""
    try:
        call()
    except ApiError as exc:
        return exc
    return None


@pytest.fixture(autouse=True)
def _no_retry_sleeping() -> Iterator[None]:
    stamina.set_testing(True, attempts=1)
    yield
    stamina.set_testing(False)


@FUZZ
@given(
    call=st.sampled_from(sorted(READS)),
    status=st.sampled_from([200, 200, 200, 404, 422, 500]),
    content=answers,
)
def test_the_client_reads_any_answer_or_raises_an_api_error(
    call: str, status: int, content: bytes
) -> None:
    with client_answering(status, content) as client, time_limit(SECONDS_PER_EXAMPLE):
        refused = outcome_of(lambda: READS[call](client))
    if refused is not None:
        assert str(refused).startswith(("GET ", "POST ")), refused
        assert "\n" not in str(refused)


@FUZZ
@given(
    call=st.sampled_from(sorted(MUTATIONS)),
    status=st.sampled_from([200, 201, 204]),
    content=answers,
)
def test_an_unreadable_answer_to_an_accepted_mutation_is_an_unknown_outcome(
    call: str, status: int, content: bytes
) -> None:
    with client_answering(status, content) as client, time_limit(SECONDS_PER_EXAMPLE):
        refused = outcome_of(lambda: MUTATIONS[call](client))
    assert refused is None or isinstance(refused, OutcomeUnknown), refused  # never "failed"


def _order_paths(order: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(order) if p and p[0] != "id"]


@FUZZ
@given(data=st.data())
def test_plan_gives_a_verdict_whatever_an_order_holds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    """Every order answer with the same subtree replaced by arbitrary JSON: plan reads it, or
    refuses it naming the call (exit 1); never an internal error."""
    emulator, template = _applied_examples()
    path = data.draw(st.sampled_from(_order_paths(template)), label="path")
    value = data.draw(json_values, label="value")
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")

    def garble(request: Seen) -> Reply | None:
        real = emulated(emulator, request)
        if request.method != "GET" or "/portIns/" not in request.path or not real.is_success:
            return None
        try:
            changed = _replaced(real.json(), path, value)
        except (KeyError, IndexError, TypeError):
            changed = real.json()  # this order has no such subtree
        return Reply(real.status_code, json=changed)

    with serve(garble, emulator) as api, time_limit(SECONDS_PER_EXAMPLE):
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        with pytest.raises(SystemExit) as exited:
            main(["plan", str(SPECS), "--env-file", str(SPECS / "demo.env")])
    out, err = capsys.readouterr()
    assert exited.value.code in (0, 1, 2, 3), err
    assert "internal error" not in err
    assert "Traceback" not in out + err
    if exited.value.code == 1:
        assert "Porting API error: GET /orders/portIns/" in err, err


_APPLIED: list[tuple[Emulator, dict[str, Any]]] = []


def _applied_examples() -> tuple[Emulator, dict[str, Any]]:
    """One emulator holding the example specs' orders, made once (plan only reads it), and the
    first order's answer (whose subtrees the fuzz replaces)."""
    if not _APPLIED:
        emulator = Emulator()
        workspace = Path(tempfile.mkdtemp(prefix="portctl-fuzz-")) / "specs"
        shutil.copytree(SPECS, workspace)  # apply locks its workspace: not the repository's
        with serve(lambda _: None, emulator) as api, pytest.MonkeyPatch.context() as patch:
            patch.setenv("SINCH_PORTING_URL", api.url)
            patch.setenv("SINCH_PROJECT_ID", "demo")
            patch.setenv("SINCH_ACCESS_TOKEN", "x")
            with pytest.raises(SystemExit):
                main(
                    [
                        "apply",
                        "--auto-approve",
                        str(workspace),
                        "--env-file",
                        str(SPECS / "demo.env"),
                    ]
                )
        first = min(emulator.world.orders)
        seen = Seen(
            "GET", f"/v1/projects/demo/orders/portIns/{first}", {"Authorization": "Bearer x"}, b""
        )
        _APPLIED.append((emulator, emulated(emulator, seen).json()))
    return _APPLIED[0]
