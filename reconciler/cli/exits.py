"""Process exit codes (docs/design.md#exit-codes).

Scripts and CI rely on these numbers; never renumber."""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_BLOCKED = 3
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130
