"""`portctl watch`: a webhook-driven controller (issue 13).

A webhook is only a hint naming an order: `app` records it durably (`store`, SQLite in WAL
mode) and answers at once; `worker` coalesces what is pending per order, re-reads each order,
plans it with the same planner as `portctl plan` (`decide`), activates `when: ready` groups
through the apply executor and turns everything else into notifications, which `notify`
delivers with retries. `metrics` are Prometheus counters; `service` runs it all under uvicorn.
"""
