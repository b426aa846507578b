"""portctl: Sinch number port-in orders as code (validate, plan, apply, drift)."""

__version__ = "0.1.0"
