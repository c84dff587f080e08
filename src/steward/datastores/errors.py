"""Errors of the datastores domain. Each says whether retrying the same work can help.

DatastoreError
 ├── ConnectionFailed    (retryable: the server may come back)
 ├── DatastoreRefused    (not retryable: a constraint or trigger refused the change)
 ├── SchemaMismatch      (not retryable: the register names what the database lacks)
 └── InvalidRequest      (not retryable: bad identifiers or rectification values)
"""

from __future__ import annotations


class DatastoreError(Exception):
    retryable = False


class ConnectionFailed(DatastoreError):
    retryable = True


class DatastoreRefused(DatastoreError):
    pass


class SchemaMismatch(DatastoreError):
    pass


class InvalidRequest(DatastoreError):
    pass
