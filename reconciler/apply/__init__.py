"""`portctl apply`: carry a plan out idempotently and crash-safely (docs/design.md#apply-semantics).

`Executor` runs the items: the steps are in `steps`, the checks they share in `context`, the
recorded API calls in `session`, update bodies in `putbody`. `outcomes` holds the results,
`report` renders them, `audit` writes the audit log, `progress` shows progress on stderr and
`budgets` merges the safety budgets.
"""

from reconciler.apply.executor import Executor, Observer, Timed
from reconciler.apply.outcomes import ApiCall, ApplyReport, ItemResult, Outcome

__all__ = ["ApiCall", "ApplyReport", "Executor", "ItemResult", "Observer", "Outcome", "Timed"]
