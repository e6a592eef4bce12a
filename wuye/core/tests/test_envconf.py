import os
import subprocess
import sys

import pytest

from wuye.envconf import (
    ConfigError,
    env_bool,
    env_database,
    env_email,
    env_fernet_key,
    env_int,
    secret_from_file,
)


def test_bool_int_parsing(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    assert env_bool("X_BOOL") is True
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ConfigError, match="X_BOOL"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ConfigError, match="X_INT"):
        env_int("X_INT", 1)


def test_database_url(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert env_database("DATABASE_URL", tmp_path / "db.sqlite3")["ENGINE"].endswith("sqlite3")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/wuye")
    cfg = env_database("DATABASE_URL", tmp_path / "x")
    assert cfg["ENGINE"].endswith("postgresql") and cfg["PORT"] == 5433 and cfg["NAME"] == "wuye"
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        env_database("DATABASE_URL", tmp_path / "x")


def test_email_url(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://user:p%40ss@mail.example:587")
    cfg = env_email("EMAIL_URL")
    assert cfg["EMAIL_HOST"] == "mail.example" and cfg["EMAIL_PORT"] == 587
    assert cfg["EMAIL_USE_TLS"] and cfg["EMAIL_HOST_PASSWORD"] == "p@ss"
    monkeypatch.setenv("EMAIL_URL", "ftp://x")
    with pytest.raises(ConfigError):
        env_email("EMAIL_URL")


def test_secret_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SOME_SECRET", raising=False)
    path = tmp_path / "var" / "secret"
    first = secret_from_file("SOME_SECRET", path)
    assert secret_from_file("SOME_SECRET", path) == first
    assert oct(path.stat().st_mode)[-3:] == "600"


def test_fernet_key_validated(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "short")
    with pytest.raises(ConfigError, match="FIELD_ENCRYPTION_KEY"):
        env_fernet_key("FIELD_ENCRYPTION_KEY", tmp_path / "k")
    monkeypatch.delenv("FIELD_ENCRYPTION_KEY")
    key = env_fernet_key("FIELD_ENCRYPTION_KEY", tmp_path / "k")
    assert env_fernet_key("FIELD_ENCRYPTION_KEY", tmp_path / "k") == key


def test_bad_setting_stops_the_process_with_the_variable_name(tmp_path):
    env = {**os.environ, "DEBUG": "perhaps", "WUYE_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        env={**env, "DJANGO_SETTINGS_MODULE": "wuye.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_production_settings_are_secure(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS,"
        " s.SECURE_CONTENT_TYPE_NOSNIFF, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    env = {
        **os.environ,
        "DEBUG": "0",
        "WUYE_TESTING": "0",
        "WUYE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "wuye.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "True", "DENY", "True", "zh-hans", "Asia/Shanghai"]
