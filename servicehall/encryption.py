"""Encryption at rest of the staff's two-factor secrets (issue 14, 等保三级 数据保密性).

A TOTP secret must be readable by the server (it computes the expected code from it), so it
cannot be hashed as a password or a recovery code is: it is encrypted with Fernet (AES-128-CBC
and HMAC-SHA256, a random IV per value, from ``cryptography``). A dump of the database or a
backup then holds no usable secret without the key, which lives in the environment only.

The Fernet key is derived with HKDF-SHA256 and a fixed label from ``TWO_FACTOR_KEY`` (which
defaults to ``PERSONAL_DATA_KEY``): the label makes it a different key from the one that keys
the personal-data digests, even when both come from the same setting. Rotation: set the new
key and put the old one in ``TWO_FACTOR_OLD_KEYS``; values are read with any of them and written
with the new one (``manage.py two_factor_rotate_key`` rewrites the stored ones).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Fixed: changing it changes every derived key, which is a key rotation (docs/security.md).
_HKDF_INFO = b"servicehall two-factor secrets v1"


class UndecryptableSecret(Exception):  # noqa: N818 - reads as what it is, like InvalidToken
    """A stored secret that none of the configured keys opens (a wrong or lost key, a value
    changed in the database). Never carries the value."""


def _fernet(key_material: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(key_material.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    # Derived at each call (microseconds), so that override_settings and a reload both apply.
    current = settings.TWO_FACTOR_KEY
    old = [key for key in settings.TWO_FACTOR_OLD_KEYS if key and key != current]
    return MultiFernet([_fernet(current), *(_fernet(key) for key in old)])


def encrypt_secret(plaintext: str) -> str:
    return _keys().encrypt(plaintext.encode()).decode("ascii")


def decrypt_secret(token: str) -> str:
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise UndecryptableSecret from None


def reencrypt_secret(token: str) -> str:
    """The value encrypted with the current key (for a rotation); raises ``UndecryptableSecret``."""
    try:
        return _keys().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise UndecryptableSecret from None
