"""Bridge settings, parsed and validated once: defaults here, then BRIDGE_* environment variables, then a
test's overrides. The rest of the code reads typed values from `app.config` and never casts.

Secrets and deployment URLs have no default: production must set them (the dev stack does, in
devstack/settings.py). A missing or malformed setting stops the app and every `flask` command with
one line naming the variable and what it expects (ConfigurationError is a SystemExit: no stack trace).
docs/configuration.md lists every setting.

The `flask` command in a checkout also reads `.devstack/bridge.env`, which `make run` writes while it
is up, so that the README's commands work in a second shell beside it. Production never reads it: only
the `flask` command does (never gunicorn), only when the environment does not set BRIDGE_ENV, and the
file exists only while `make run` runs.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from email_validator import EmailNotValidError, validate_email
from limits import parse_many
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "BRIDGE_"
DEV_SETTINGS_FILE = Path(__file__).resolve().parents[2] / ".devstack" / "bridge.env"
# Never echoed in an error message.
SECRETS = {"secret_key", "keycloak_client_secret", "manager_client_secret", "smtp_password", "metrics_token",
           "realm_operator_client_secret"}
# Secret keys printed in this repository (.env.example, the dev stack): whoever reads it could sign sessions.
PUBLISHED_SECRET_KEYS = {"change-me-to-a-long-random-string", "dev-only-secret-key-not-for-production"}
MIN_SECRET_KEY_BYTES = 32


class Environment(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"


class ConfigurationError(SystemExit):
    """A required setting is missing or malformed; exits with the message on one line (status 1)."""

    @property
    def message(self) -> str:
        return str(self.code)


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http(s) URL such as https://id.example.com")
    return value.rstrip("/")


def _optional_url(value: str) -> str:
    """A URL, a URL template with {lang}, or empty (hides the link)."""
    if value:
        _url(value.replace("{lang}", "fr"))
    return value


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError("expected an e-mail address") from exc
    return value.lower()


def _rate_limits(value: str) -> str:
    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError("expected limits such as '60 per minute;1000 per day'") from exc
    return value


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"expected a regular expression ({exc})") from exc
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("expected a time zone such as Europe/Paris") from exc
    return value


def _month_day(value: str) -> str:
    if value:
        try:
            date.fromisoformat(f"2025-{value}")  # not a leap year: a day every year has
        except ValueError as exc:
            raise ValueError("expected a day of the year as MM-DD, such as 01-15, or nothing") from exc
    return value


def _database_url(value: str | None) -> str | None:
    if value:
        try:
            make_url(value)
        except ArgumentError as exc:
            raise ValueError("expected a SQLAlchemy URL such as postgresql+psycopg://user:pw@host/db") from exc
    return value or None


def _names(value: str | tuple[str, ...]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip().lower() for item in items if item.strip())


def _origins(value: str | tuple[str, ...]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(_url(item.strip()) for item in items if item.strip())


Url = Annotated[str, AfterValidator(_url)]
OptionalUrl = Annotated[str, AfterValidator(_optional_url)]
Email = Annotated[str, AfterValidator(_email)]
RateLimits = Annotated[str, AfterValidator(_rate_limits)]
Seconds = Annotated[float, Field(gt=0)]


class Settings(BaseSettings):
    """Every BRIDGE_* setting with its type and default (docs/configuration.md says what each means)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", validate_default=True)

    env: Environment = Environment.PRODUCTION
    secret_key: Annotated[str, Field(min_length=1)]
    public_url: Url
    database_url: Annotated[str | None, AfterValidator(_database_url)] = None  # None: SQLite in the instance folder
    keycloak_url: Url
    keycloak_public_url: Url | None = None  # as browsers reach it; defaults to keycloak_url
    keycloak_realm: str = "woundwo"
    keycloak_client_id: str = "b2b-bridge"
    keycloak_client_secret: Annotated[str, Field(min_length=1)]
    keycloak_timeout: Seconds = 1.5  # /readyz and the e-mail check must answer within 2 s
    # `flask --app bridge realm plan|apply` only (bridge/realm/): the operator's client, never the web tier's
    realm_operator_client_id: str = "realm-operator"
    realm_operator_client_secret: str = ""
    cors_origins: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_origins)] = ()
    smtp_host: str = "localhost"
    smtp_port: Annotated[int, Field(gt=0, lt=65536)] = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: Email = "noreply@woundwo.com"
    mail_from_name: str = "WOUNDWO B2B"
    session_cookie_name: str = "woundwo_bridge_session"
    manager_client_id: str = "b2b-manager"
    manager_client_secret: Annotated[str, Field(min_length=1)]
    manager_idle_minutes: Seconds = 30
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_token: str = ""
    trusted_proxies: Annotated[int, Field(ge=0)] = 0
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True  # false: no limit at all (a benchmark's diagnostic, never production)
    email_check_enabled: bool = True
    email_check_limit_per_ip: RateLimits = "60 per minute;1000 per day"
    email_check_limit_global: RateLimits = "100 per second"
    email_status_ttl_known: Annotated[float, Field(ge=0)] = 120  # 0: not cached
    email_status_ttl_unknown: Annotated[float, Field(ge=0, le=30)] = 20  # a just-approved person turns green soon
    email_status_failure_pause: Annotated[float, Field(ge=0)] = 10
    customer_number_pattern: Annotated[str, AfterValidator(_pattern)] = r"^[0-9]{5,10}$"
    fallback_manager_email: Email
    # Accepted requests per client IP (a pharmacy chain's staff share one); every post, refused ones
    # included, per IP (a flood brake); accepted requests per e-mail address (nobody's inbox is spammed).
    request_limit_per_ip: RateLimits = "30 per hour;100 per day"
    request_attempt_limit_per_ip: RateLimits = "300 per hour"
    request_limit_per_email: RateLimits = "3 per day"
    request_min_fill_seconds: Annotated[float, Field(ge=0)] = 1  # bots post at once; autofill and a click take 2 s
    # The help page's contact form: accepted messages per client IP, per sender address and per customer
    # number (one regional manager's inbox); its posts count against request_attempt_limit_per_ip's brake too.
    contact_limit_per_ip: RateLimits = "10 per hour;30 per day"
    contact_limit_per_email: RateLimits = "5 per day"
    contact_limit_per_customer: RateLimits = "20 per day"
    outbox_max_attempts: Annotated[int, Field(gt=0)] = 8
    outbox_claim_lease_seconds: Seconds = 600  # a claim older than this belongs to a dead worker
    worker_poll_seconds: Seconds = 5
    reminder_working_days: Annotated[int, Field(ge=0)] = 2  # a pending request reminds its manager; 0: never
    escalation_working_days: Annotated[int, Field(ge=0)] = 5  # then a deputy may decide too; 0: never
    request_expiry_days: Annotated[int, Field(ge=0)] = 30  # an undecided request expires; 0: never
    customer_grace_days: Annotated[int, Field(ge=0)] = 14  # a suspended customer's people keep access this long
    # Personal data kept no longer than needed (docs/privacy.md): closed requests lose their personal fields,
    # sent e-mails their content; a partner who does not sign in is told, then loses access.
    request_retention_days: Annotated[int, Field(gt=0)] = 90
    mail_retention_days: Annotated[int, Field(gt=0)] = 30
    inactivity_days: Annotated[int, Field(ge=0)] = 365  # 0: never
    inactivity_grace_days: Annotated[int, Field(gt=0)] = 30
    # The yearly confirmation of who still works at each customer (bridge/confirmation/): the day a round starts
    # each year (MM-DD, company time; empty: only when an operator starts one), the reminder, the regional manager
    # told, and whether the people nobody confirmed then lose access.
    confirmation_day: Annotated[str, AfterValidator(_month_day)] = "01-15"
    confirmation_reminder_days: Annotated[int, Field(gt=0)] = 30
    confirmation_escalation_days: Annotated[int, Field(gt=0)] = 60
    confirmation_end_unconfirmed: bool = False
    worker_keycloak_timeout: Seconds = 10
    # Regions whose requests vouched for by a team admin are approved at once when the invited address has the
    # team admin's e-mail domain (bridge/team/); empty: a manager decides every request.
    team_auto_approve_regions: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_names)] = ()
    contact_url: OptionalUrl = ""
    privacy_url: OptionalUrl = ""
    reset_password_url: Url | None = None  # defaults to the realm's reset page
    sign_in_url: Url | None = None  # defaults to the realm's account page
    time_zone: Annotated[str, AfterValidator(_time_zone)] = "Europe/Paris"
    activation_link_days: Annotated[int, Field(gt=0)] = 7
    activation_client_id: str = "b2b-portal"
    portal_url: OptionalUrl = ""

    @model_validator(mode="after")
    def _strong_secrets_outside_development(self) -> "Settings":
        if self.env == Environment.DEVELOPMENT:
            return self
        if self.secret_key in PUBLISHED_SECRET_KEYS or self.secret_key.startswith("change-me"):
            raise ValueError("BRIDGE_SECRET_KEY is a value published in this repository; set a long random one")
        if len(self.secret_key.encode()) < MIN_SECRET_KEY_BYTES:
            raise ValueError(f"BRIDGE_SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes; set a long random one "
                             "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        placeholders = sorted(PREFIX + name.upper() for name in SECRETS
                              if str(getattr(self, name)).startswith("change-me"))
        if placeholders:
            raise ValueError(f"{', '.join(placeholders)} still set to the .env.example placeholder")
        return self

    @model_validator(mode="after")
    def _derived(self) -> "Settings":
        self.keycloak_public_url = self.keycloak_public_url or self.keycloak_url
        realm_url = f"{self.keycloak_public_url}/realms/{self.keycloak_realm}"
        self.reset_password_url = self.reset_password_url or \
            f"{realm_url}/login-actions/reset-credentials?client_id=account-console"
        self.sign_in_url = self.sign_in_url or f"{realm_url}/account"
        return self

    def as_config(self) -> dict[str, object]:
        """The settings as Flask config keys (upper case, without the prefix)."""
        return {name.upper(): value for name, value in self.model_dump().items()}


def _explain(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        if not item["loc"]:  # a rule over several settings: its message names them
            problems.append(str(item["msg"]).removeprefix("Value error, "))
            continue
        name = str(item["loc"][0])
        variable = PREFIX + name.upper()
        if item["type"] == "missing":
            problems.append(f"{variable} is required")
            continue
        message = str(item["msg"]).removeprefix("Value error, ")
        shown = "" if name in SECRETS else f"={item.get('input')!r}"
        problems.append(f"{variable}{shown}: {message}")
    return "bridge: invalid settings: " + "; ".join(problems)


def _read_by_flask_command() -> bool:
    context = click.get_current_context(silent=True)
    return context is not None and type(context.obj).__name__ == "ScriptInfo"


def dev_settings_file() -> Path | None:
    """`.devstack/bridge.env` when the `flask` command runs beside `make run` (see the module docstring)."""
    if DEV_SETTINGS_FILE.exists() and PREFIX + "ENV" not in os.environ and _read_by_flask_command():
        return DEV_SETTINGS_FILE
    return None


def load(overrides: dict[str, object] | None = None) -> Settings:
    """The settings from the environment (and the dev file, see above), then `overrides` (upper-case keys)."""
    values = {key.lower(): value for key, value in (overrides or {}).items() if key.lower() in Settings.model_fields}
    try:
        return Settings(_env_file=dev_settings_file(), **values)
    except ValidationError as exc:
        raise ConfigurationError(_explain(exc)) from None
