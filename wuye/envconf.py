"""Typed readers for environment variables.

Every setting Wuye takes from the environment goes through one of these helpers, so a bad
value stops the process at start-up with a message naming the variable, instead of failing
later in a request.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A configuration value from the environment is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default_sqlite: Path) -> dict:
    """Parse DATABASE_URL (sqlite:///path or postgres://user:pw@host:port/db)."""
    import dj_database_url

    value = os.environ.get(name)
    if not value:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
        }
    if not value.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
        raise ConfigError(f"{name} must be a sqlite:// or postgres:// URL, got {value!r}")
    try:
        return dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types
        raise ConfigError(f"{name} is not a valid database URL: {exc}") from None


def env_email(name: str) -> dict:
    """Parse EMAIL_URL into Django email settings.

    smtp://user:pass@host:port, smtp+tls://..., smtp+ssl://..., console://, locmem://, dummy://.
    """
    from urllib.parse import unquote, urlparse

    value = os.environ.get(name)
    if not value:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    url = urlparse(value)
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if url.scheme in simple:
        return {"EMAIL_BACKEND": simple[url.scheme]}
    if url.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ConfigError(f"{name} must be smtp://, smtp+tls://, smtp+ssl://, console:// or locmem://")
    if not url.hostname:
        raise ConfigError(f"{name} needs a host, got {value!r}")
    try:
        port = url.port or (465 if url.scheme == "smtp+ssl" else 25)
    except ValueError:
        raise ConfigError(f"{name} has an invalid port") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": url.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(url.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
        "EMAIL_USE_TLS": url.scheme == "smtp+tls",
        "EMAIL_USE_SSL": url.scheme == "smtp+ssl",
    }


def secret_from_file(name: str, path: Path, nbytes: int = 50) -> str:
    """Return the env value, else a secret generated once into ``path`` (mode 0600)."""
    value = os.environ.get(name)
    if value:
        return value
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret


def env_fernet_key(name: str, path: Path) -> str:
    """FIELD_ENCRYPTION_KEY: a urlsafe base64 32-byte Fernet key; generated into var/ when unset."""
    import base64

    from cryptography.fernet import Fernet

    value = os.environ.get(name)
    if not value:
        if path.exists():
            value = path.read_text().strip()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            value = Fernet.generate_key().decode()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(value)
    try:
        if len(base64.urlsafe_b64decode(value.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"{name} must be a urlsafe base64-encoded 32-byte key (Fernet.generate_key())"
        ) from None
    return value
