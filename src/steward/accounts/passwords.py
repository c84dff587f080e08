"""Password hashing (argon2id) and the strength rule.

digest = hash_password("a long passphrase")
verify_password(digest, "a long passphrase")   # True
password_problem("short", email="a@b.c")       # Told("Use at least %(min)s characters ...")
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from steward.lib.i18n import N_, Told

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; this only stops absurd request bodies

# The most common passwords of at least MIN_LENGTH characters (public breach lists).
COMMON = frozenset(
    {
        "123456789012",
        "1234567890123",
        "qwertyuiopas",
        "qwerty123456",
        "password1234",
        "password12345",
        "passwordpassword",
        "iloveyou1234",
        "111111111111",
        "000000000000",
        "abcdefghijkl",
        "abc123abc123",
        "qwertyqwerty",
        "1q2w3e4r5t6y",
        "letmeinletmein",
        "administrator",
        "changemechangeme",
        "welcome12345",
        "correcthorsebatterystaple",
    }
)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("steward-dummy-password-for-timing")


def verify_password(digest: str | None, password: str) -> bool:
    """True when ``password`` matches ``digest``. With no digest (unknown account) it still
    spends the time of one verification, so answers do not reveal which accounts exist."""
    try:
        return _hasher.verify(digest or _dummy_hash(), password) and digest is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(digest: str) -> bool:
    return _hasher.check_needs_rehash(digest)


def password_problem(password: str, *, email: str = "") -> Told | None:
    """What is wrong with ``password`` as a new password (its English ``str()``, translated with
    ``i18n.told``), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return Told(
            N_("Use at least %(min)s characters; a few unrelated words make a good password."),
            min=MIN_LENGTH,
        )
    if len(password) > MAX_LENGTH:
        return Told(N_("Use at most %(max)s characters."), max=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON:
        return Told(N_("This password is on lists of common passwords; choose another."))
    if len(set(password)) < 5:
        return Told(N_("Use more different characters; repeated patterns are easy to guess."))
    local = email.partition("@")[0].lower()
    if len(local) >= 4 and local in lowered:
        return Told(N_("Do not build the password from your e-mail address."))
    return None
