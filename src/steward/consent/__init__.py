"""The consent ledger: who consented to what, under which notice, when and how; provable.

Modules: ``tables`` (rows), ``identity`` (keyed identifier hashes, IP evidence), ``ledger``
(append and verify the chain), ``state`` (current state derived from events, cached),
``rules`` (age, GPC, expiry), ``service`` (record / withdraw / check), ``receipts`` (signed
consent receipts), ``tokens`` (unsubscribe links), ``webhooks`` (signed notices of withdrawal),
``banner`` (the cookie banner's configuration).
"""

from steward.consent.service import mark_for_reconfirmation, subjects_to_reconfirm

__all__ = ["mark_for_reconfirmation", "subjects_to_reconfirm"]
