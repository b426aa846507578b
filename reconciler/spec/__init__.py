"""Spec files (apiVersion portctl/v1): strict loading, validation and the desired state.

Public surface: `load_project` (all specs under some paths -> `LoadResult`), `SpecIssue` (one
located problem), `load_env` (variables for `${NAME}` secret references).
"""

from reconciler.spec.discovery import discover_spec_files
from reconciler.spec.envfile import load_env
from reconciler.spec.issues import SpecIssue
from reconciler.spec.project import LoadResult, load_project

__all__ = ["LoadResult", "SpecIssue", "discover_spec_files", "load_env", "load_project"]
