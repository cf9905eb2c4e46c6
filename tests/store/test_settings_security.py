"""Settings refuse a default secret outside dev; secrets are encrypted at rest; tokens hashed."""

from __future__ import annotations

import pytest

from labelqa.errors import ConfigurationError
from labelqa.security import decrypt, encrypt, generate_token, hash_token
from labelqa.settings import DEFAULT_SECRET_KEY, Settings


def test_default_secret_is_refused_outside_dev(monkeypatch):
    monkeypatch.delenv("LABELQA_SECRET_KEY", raising=False)
    monkeypatch.setenv("LABELQA_ENV", "prod")
    with pytest.raises(ConfigurationError, match="LABELQA_SECRET_KEY is left at its default"):
        Settings(_env_file=None).check_secret()
    Settings(_env_file=None, env="dev").check_secret()
    with pytest.raises(ConfigurationError, match="at least 16"):
        Settings(_env_file=None, env="prod", secret_key="short").check_secret()


def test_env_prefix_and_default_sqlite_path(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELQA_HOME", str(tmp_path))
    monkeypatch.delenv("LABELQA_DATABASE_URL", raising=False)
    s = Settings(_env_file=None)
    assert s.resolved_database_url() == f"sqlite:///{tmp_path}/labelqa.db"
    monkeypatch.setenv("LABELQA_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings(_env_file=None).resolved_database_url() == "postgresql+psycopg://u@h/db"


def test_encryption_round_trip_and_key_change():
    ct = encrypt("ls-token-123", "a-long-secret-key-1")
    assert "ls-token-123" not in ct
    assert decrypt(ct, "a-long-secret-key-1") == "ls-token-123"
    with pytest.raises(ConfigurationError, match="cannot be decrypted"):
        decrypt(ct, "another-secret-key-2")


def test_tokens_are_random_and_hashed():
    a, b = generate_token(), generate_token()
    assert a != b and a.startswith("lqa_") and len(a) > 40
    assert hash_token(a) != a and len(hash_token(a)) == 64
    assert DEFAULT_SECRET_KEY not in (a, b)
