"""One-click unsubscribe tokens and Privacy Center links, signed with itsdangerous.

    token = unsubscribe_token(keys, subject_id, "newsletter", "email")
    unsubscribe_claims(keys, token)        # ("subject id", "newsletter", "email") or raises

An unsubscribe token names one subject, one purpose and one channel and can do nothing but
withdraw that consent, so it needs no sign-in; it is signed (not encrypted) and carries no
identifier, only the Steward subject id. Privacy Center links expire after a day.
"""

from __future__ import annotations

from steward.consent.identity import ConsentKeys
from steward.lib.i18n import N_, Told
from steward.lib.signing import Signer, TokenExpired, TokenInvalid

UNSUBSCRIBE_MAX_AGE = 400 * 86400
CENTER_MAX_AGE = 86400


class TokenError(Told, ValueError):
    """A token that is forged, damaged, for another use, or expired."""


def _serializer(keys: ConsentKeys, salt: str) -> Signer:
    return Signer(keys.token_secret, salt)


def unsubscribe_token(keys: ConsentKeys, subject_id: str, purpose_id: str, channel: str) -> str:
    return _serializer(keys, "consent-unsubscribe").dumps([subject_id, purpose_id, channel])


def unsubscribe_claims(keys: ConsentKeys, token: str) -> tuple[str, str, str]:
    try:
        subject_id, purpose_id, channel = _serializer(keys, "consent-unsubscribe").loads(  # type: ignore[misc]
            token, max_age=UNSUBSCRIBE_MAX_AGE
        )
    except TokenExpired:
        raise TokenError(N_("this unsubscribe link has expired")) from None
    except (TokenInvalid, ValueError, TypeError):
        raise TokenError(N_("this unsubscribe link is not valid")) from None
    return str(subject_id), str(purpose_id), str(channel)


def center_token(keys: ConsentKeys, subject_id: str) -> str:
    return _serializer(keys, "consent-center").dumps(subject_id)


def center_subject(keys: ConsentKeys, token: str, max_age: int = CENTER_MAX_AGE) -> str:
    try:
        return str(_serializer(keys, "consent-center").loads(token, max_age=max_age))
    except TokenExpired:
        raise TokenError(N_("this link has expired; ask for a new one")) from None
    except TokenInvalid:
        raise TokenError(N_("this link is not valid; ask for a new one")) from None
