"""Reports over live state: drift (git vs live), lifecycle facts and status of managed orders.

`fetch_report_live` reads (only reads), `build_drift` sorts a plan into drift categories,
`all_facts` gives each spec's lifecycle facts; renderers live in `reconciler.render`.
"""

from reconciler.reporting.drift import DriftReport, build_drift, classify
from reconciler.reporting.facts import NO_ORDER, OrderFacts, all_facts
from reconciler.reporting.fetch import fetch_report_live

__all__ = [
    "NO_ORDER",
    "DriftReport",
    "OrderFacts",
    "all_facts",
    "build_drift",
    "classify",
    "fetch_report_live",
]
