"""Password hashing (argon2id) and the strength rule for staff passwords."""
from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps a request from buying seconds of CPU

# argon2-cffi's defaults are the RFC 9106 "low memory" profile of argon2id.
hasher = PasswordHasher()
# Verified against when the email is unknown, so that both failures cost the same time.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Why a password is refused (empty when it is acceptable); NIST SP 800-63B style: length and blocklist."""
    if len(password) < MIN_LENGTH:
        return [f"Must be at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Must be at most {MAX_LENGTH} characters."]
    folded = password.lower()
    if folded in _common_passwords() or len(set(folded)) <= 3:
        return ["Too common or too easy to guess; choose a longer passphrase."]
    if email and email.split("@", 1)[0].lower() in folded and len(email.split("@", 1)[0]) >= 4:
        return ["Must not contain your email name."]
    return []


def generate_password() -> str:
    return secrets.token_urlsafe(18)
