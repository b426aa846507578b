"""`portctl apply`: carry a plan out idempotently and crash-safely (docs/design.md#apply-semantics).

`Executor` runs the items, different orders side by side: the steps are in `steps`, the checks
they share in `context`, update bodies in `putbody`; the API calls each item made come from
`PortingClient.recording` (per thread).
`outcomes` holds the results, `report` renders them, `audit` writes the audit log, `progress`
shows progress on stderr and `budgets` merges the safety budgets.
"""

from reconciler.apply.executor import Executor, Observer, Timed
from reconciler.apply.outcomes import ApplyReport, ItemResult, Outcome

__all__ = ["ApplyReport", "Executor", "ItemResult", "Observer", "Outcome", "Timed"]
