"""The emulator world shared by the plan, apply and report (drift, status, import) tests.

Each suite needs the same small world: spec files written like a user in a temp dir (with a
`portctl.yaml`, an env file holding the secrets, and `docs/loa.pdf` for document uploads), an
in-memory emulator set up through its own API and controls, and the real CLI run in-process.
`SpecWorld` is that world; each suite subclasses it with its own secret names and values (so a
leak test can tell whose PIN leaked) and its own way of running commands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reconciler.api import Order, PortingClient, StaticToken
from reconciler.cli import main
from reconciler.desired import DesiredState
from reconciler.emulator import Emulator
from reconciler.spec import load_project
from tests.core.builders import port_in_document, settings_document, write_yaml

START = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


@dataclass
class CliRun:
    """What one in-process `portctl` run printed and returned."""

    code: int
    out: str
    err: str

    @property
    def document(self) -> dict[str, Any]:
        """The json rendering (only for `--format json` runs)."""
        return json.loads(self.out)  # type: ignore[no-any-return]


@dataclass
class SpecWorld:
    """Specs on disk plus an in-memory emulator, driven like a user would.

    Subclasses name their secrets: `prefix` (the env file is `<prefix>.env`, the specs refer to
    `${<PREFIX>_PIN}` and `${<PREFIX>_ACCOUNT}`) and `secrets` (the env file's content).
    """

    prefix: ClassVar[str]
    secrets: ClassVar[Mapping[str, str]]

    root: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    emu: Emulator = field(default_factory=lambda: Emulator(now=START, project_id="demo"))

    def __post_init__(self) -> None:
        (self.specs / "docs").mkdir(parents=True)
        (self.specs / "docs" / "loa.pdf").write_bytes(b"%PDF-1.4 fake LOA\n")
        self.write("portctl.yaml", settings_document())
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in self.secrets.items()), "utf-8")
        self.monkeypatch.setenv("PORTCTL_EMULATOR_STATE", str(self.state))
        self.monkeypatch.setenv("PORTCTL_TODAY", TODAY.isoformat())

    @property
    def specs(self) -> Path:
        return self.root / "specs"

    @property
    def env_file(self) -> Path:
        return self.root / f"{self.prefix.lower()}.env"

    @property
    def state(self) -> Path:
        """The emulator's state file, for commands run with `--emulator`."""
        return self.root / "emulator.json"

    def write(self, filename: str, document: Mapping[str, Any]) -> None:
        """Write one YAML document under specs/."""
        write_yaml(self.specs / filename, document)

    def spec(self, name: str, numbers: Sequence[str], **options: Any) -> None:
        """Write (or overwrite) the PortIn spec `name` (options of `port_in_document`)."""
        options.setdefault("pin", f"${{{self.prefix}_PIN}}")
        document = port_in_document(name, numbers, account=f"${{{self.prefix}_ACCOUNT}}", **options)
        self.write(f"{name}.yaml", document)

    def load(self, env: Mapping[str, str] | None = None) -> DesiredState:
        """The specs as loaded and resolved now (with the env file's secrets unless `env`)."""
        result = load_project(
            [self.specs],
            today=TODAY,
            env=dict(self.secrets if env is None else env),
            resolve_secrets=True,
        )
        assert result.state is not None, [str(i) for i in result.issues]
        return result.state

    def client(self) -> PortingClient:
        """An API client on the in-memory emulator (for setting the world up)."""
        return PortingClient(
            base_url="http://127.0.0.1",
            project_id="demo",
            auth=StaticToken("x"),
            transport=self.emu.transport(),
        )

    def groups(self, order: Order) -> list[str]:
        """The carrier groups of an order."""
        return sorted({str(n["phoneNumberGroup"]) for n in order.raw["phoneNumbers"]})

    def confirm(self, order: Order, foc: str | None = None) -> None:
        """The losing carriers confirm every group of `order`."""
        for group in self.groups(order):
            self.emu.confirm_group(order.id, group, foc)

    def serve_env(self, url: str) -> None:
        """Point the CLI at the emulator served at `url`, as at the real API."""
        self.monkeypatch.setenv("SINCH_PORTING_URL", url)
        self.monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
        self.monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")

    def main(self, argv: Sequence[str]) -> CliRun:
        """`portctl ARGV` in-process, with its output and exit code captured."""
        self.capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(argv))
        captured = self.capsys.readouterr()
        return CliRun(int(exit_info.value.code or 0), captured.out, captured.err)
