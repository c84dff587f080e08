"""Append-only, hash-chained records: the audit log and the consent ledger."""
