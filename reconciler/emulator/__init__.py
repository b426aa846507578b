"""A faithful, stateful emulator of the Sinch Porting API.

`core.Emulator` is the one request handler; `simulation` documents the carrier simulation on
the virtual clock; `server` and `embedded` host it on a port or over a state file.
"""

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.core import Emulator, RequestRecord
from reconciler.emulator.errors import ErrorAnswer
from reconciler.emulator.faults import ConnectionDropped, Fault

__all__ = [
    "ConnectionDropped",
    "Emulator",
    "EmulatorConfig",
    "ErrorAnswer",
    "Fault",
    "RequestRecord",
]
