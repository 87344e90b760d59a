"""Settings: safe defaults, the production guard on the cookie key, and where demo mode applies."""

from __future__ import annotations

import pytest

from kinderwijkraad.config import DEFAULT_COOKIE_KEY, Settings, get_settings
from kinderwijkraad.errors import ConfigError


def test_the_default_is_sqlite_under_data_with_demo_mode_on():
    settings = get_settings()
    assert settings.effective_database_url.endswith("data/kinderwijkraad.db")
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.demo_mode


def test_production_refuses_the_default_cookie_key(monkeypatch):
    monkeypatch.setenv("KWR_ENV", "production")
    with pytest.raises(ConfigError) as refused:
        get_settings()
    assert refused.value.key == "config.default_cookie_key"


def test_production_refuses_a_short_cookie_key(monkeypatch):
    monkeypatch.setenv("KWR_ENV", "production")
    monkeypatch.setenv("KWR_COOKIE_KEY", "short")
    with pytest.raises(ConfigError):
        get_settings()


def test_production_with_a_real_key_starts_and_never_shows_demo_accounts(monkeypatch):
    monkeypatch.setenv("KWR_ENV", "production")
    monkeypatch.setenv("KWR_COOKIE_KEY", "k" * 48)
    monkeypatch.setenv("KWR_DEMO", "true")
    settings = get_settings()
    assert settings.cookie_key != DEFAULT_COOKIE_KEY
    assert not settings.demo_mode


def test_postgresql_comes_from_database_url_and_turns_demo_mode_off(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://kwr@db/kwr")
    settings = get_settings()
    assert settings.effective_database_url == "postgresql+psycopg://kwr@db/kwr"
    assert not settings.demo_mode


def test_the_login_cookie_lives_hours_not_days():
    assert Settings().cookie_hours <= 12
