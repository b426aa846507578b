"""`portctl import`: live orders -> PortIn spec files (see `run`, `build`, `naming`, `writer`)."""

from reconciler.importing.build import ImportedSpec, SecretUse, spec_from_order
from reconciler.importing.run import (
    ImportFilters,
    ImportRefused,
    ImportResult,
    Skipped,
    import_orders,
    parse_statuses,
)

__all__ = [
    "ImportFilters",
    "ImportRefused",
    "ImportResult",
    "ImportedSpec",
    "SecretUse",
    "Skipped",
    "import_orders",
    "parse_statuses",
    "spec_from_order",
]
