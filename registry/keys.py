"""The log's Ed25519 signing key: from the environment (or a mounted file) in production; a
development key in a git-ignored file, made once, everywhere else."""

import base64
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING = (
    "The registry has no signing key: set REGISTRY_SIGNING_KEY (an Ed25519 private key, PEM) "
    "or REGISTRY_SIGNING_KEY_FILE."
)


def development_key_create(path: Path) -> bool:
    """Write a new private key to `path` (mode 0600) unless one is there. True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    return True


@lru_cache(maxsize=4)
def _load(pem: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"REGISTRY_SIGNING_KEY is not a PEM private key: {exc}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("REGISTRY_SIGNING_KEY must be an Ed25519 key.")
    return key


def signing_key() -> Ed25519PrivateKey:
    pem = settings.REGISTRY_SIGNING_KEY
    if not pem:
        if settings.PRODUCTION:
            raise ImproperlyConfigured(MISSING)
        path = Path(settings.REGISTRY_DEVELOPMENT_KEY_PATH)
        try:
            development_key_create(path)
        except FileExistsError:  # another process made it first
            pass
        pem = path.read_text()
    return _load(pem)


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(message: bytes) -> str:
    return base64.b64encode(signing_key().sign(message)).decode()


def ed25519_public_key(pem: str) -> None:
    """Validator: an Ed25519 public key in PEM."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except ValueError:
        raise ValidationError(_("Not a PEM public key.")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationError(_("The key must be an Ed25519 key."))
