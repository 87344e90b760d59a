"""Settings from the environment and `.streamlit/secrets.toml`, with defaults that run out of the box.

Environment variables win over the secrets file. Outside development the default cookie key is
refused, because anyone who knows it can forge a login cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from kinderwijkraad.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The schools' and the partners' clock and calendar: what "today" and a shown time mean.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
ASSETS_DIR = PROJECT_ROOT / "assets"  # images, fonts and lesson templates that ship with the app
DEFAULT_COOKIE_KEY = "development-only-cookie-key-change-me"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class MailSettings:
    """Outgoing mail's settings (Settings.mail), passed to services/mail.py."""

    smtp_url: str | None  # None: write .eml files to outbox_dir
    mail_from: str
    outbox_dir: Path
    public_url: str  # the root of the reply links in a message
    link_key: str  # the server's secret the reply links' tokens are derived from
    photos_dir: Path  # the dossier's photos
    ca_file: Path | None = None


class Settings(BaseSettings):
    """All settings of one app process; read once, see `get_settings`."""

    model_config = SettingsConfigDict(env_prefix="KWR_", extra="ignore", populate_by_name=True)

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "KWR_DATABASE_URL", "database_url")
    )
    data_dir: Path = DEFAULT_DATA_DIR
    cookie_name: str = "kwr_auth"
    cookie_key: str = DEFAULT_COOKIE_KEY
    # Tablets are shared by a class: a login lives for a school day, not a month.
    cookie_hours: float = Field(default=8.0, gt=0, le=24 * 7)
    # None means: on for the embedded SQLite default, off otherwise.
    demo: bool | None = None
    language: Literal["nl", "en"] = "nl"
    # The address children and officials open (QR codes on the board and on voting cards, reply
    # links, links in PDFs), e.g. "https://kwr.example.nl". Behind a proxy the server cannot see
    # it; unset, links start from the address the browser shows (ui/links.py).
    public_url: str | None = None
    # Outgoing mail: "smtp://user:password@host:587" (STARTTLS), "smtps://…:465" (TLS from the
    # start). Unset, every message is written as an .eml file under data_dir/outbox/ instead.
    smtp_url: str | None = None
    mail_from: str = "Kinderwijkraad <kinderwijkraad@localhost>"
    # A CA bundle to trust for the mail server's certificate besides the system's (a private CA).
    smtp_ca_file: Path | None = None

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _blank_smtp_url(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("public_url", mode="before")
    @classmethod
    def _bare_public_url(cls, value: object) -> object:
        """Blank means unset; a trailing slash is dropped so paths join with one "/"."""
        if isinstance(value, str):
            return value.strip().rstrip("/") or None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets = TomlConfigSettingsSource(settings_cls, toml_file=SECRETS_FILE)
        return (init_settings, env_settings, secrets)

    def refuse_unsafe(self) -> Settings:
        """Raise ConfigError when production would run with a guessable cookie key."""
        if self.env == "production" and self.cookie_key == DEFAULT_COOKIE_KEY:
            raise ConfigError("config.default_cookie_key")
        if self.env == "production" and len(self.cookie_key) < 32:
            raise ConfigError("config.short_cookie_key")
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
                raise ConfigError("config.bad_public_url", url=self.public_url)
        if self.smtp_url is not None:
            parts = urlsplit(self.smtp_url)
            try:
                parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
            except ValueError:
                raise ConfigError("config.bad_smtp_url") from None
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
                raise ConfigError("config.bad_smtp_url")
            if self.env == "production" and self.public_url is None:
                # A mail is read elsewhere: its reply link cannot start from a browser's address.
                raise ConfigError("config.mail_needs_public_url")
        return self

    @property
    def mail(self) -> MailSettings:
        """What the mail services need: where mail goes, who it is from, the links it carries."""
        return MailSettings(smtp_url=self.smtp_url, mail_from=self.mail_from, outbox_dir=self.data_dir / "outbox",
                            public_url=self.public_url or "http://localhost:8501", link_key=self.cookie_key,
                            photos_dir=self.photos_dir, ca_file=self.smtp_ca_file)

    @property
    def uses_default_database(self) -> bool:
        return self.database_url is None

    @property
    def photos_dir(self) -> Path:
        """Where the children's cleaned photos are stored (see services/images.py)."""
        return self.data_dir / "photos"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'kinderwijkraad.db'}"

    @property
    def demo_mode(self) -> bool:
        if self.env == "production":
            return False
        if self.demo is not None:
            return self.demo
        return self.uses_default_database


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings().refuse_unsafe()
