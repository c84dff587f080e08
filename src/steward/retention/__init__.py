"""Retention that happens: sweeps of expired rows, holds that win, destruction acts.

plan(register, today)                       # what is due, per table (reads the datastores)
sweep(factory, register, trigger="cli", dry_run=False, progress=...)   # a RetentionRun
holds.place(session, datastore="telephony", table="call_recordings", row_key='[42]',
            reason="dispute 2026-17", until=date(2027, 6, 1), actor="dpo@example.com")
"""
