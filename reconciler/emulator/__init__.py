"""A faithful, stateful emulator of the Sinch Porting API (see `core` and `world`)."""

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.core import Emulator, RequestRecord
from reconciler.emulator.errors import ApiError
from reconciler.emulator.faults import ConnectionDropped, Fault

__all__ = ["ApiError", "ConnectionDropped", "Emulator", "EmulatorConfig", "Fault", "RequestRecord"]
