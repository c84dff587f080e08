"""The operator's databases: connect, reflect, find one subject, export, erase, restrict, rectify.

The executor API for the requests domain lives in ``runs.py``; see ``docs/datastores.md``.
"""

from steward.datastores.errors import (
    ConnectionFailed,
    DatastoreError,
    DatastoreRefused,
    InvalidRequest,
    SchemaMismatch,
)
from steward.datastores.executor import KINDS, ExecutionRequest
from steward.datastores.runs import execute, export_of, is_restricted, process, submit

__all__ = [
    "KINDS",
    "ConnectionFailed",
    "DatastoreError",
    "DatastoreRefused",
    "ExecutionRequest",
    "InvalidRequest",
    "SchemaMismatch",
    "execute",
    "export_of",
    "is_restricted",
    "process",
    "submit",
]
