"""The deployment examples in deploy/ (Dockerfile, systemd units)."""
