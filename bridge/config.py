"""Bridge settings: defaults here, then BRIDGE_* environment variables, then a test's overrides.

Secrets and deployment URLs have no default: production must set them (the dev stack does, in
devstack/settings.py). docs/configuration.md lists every setting.
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # "development" relaxes what only makes sense behind HTTPS (Secure cookies).
    "ENV": "production",
    "SECRET_KEY": None,
    "PUBLIC_URL": None,
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "KEYCLOAK_URL": None,
    # Keycloak as browsers reach it (links in pages and e-mails); defaults to KEYCLOAK_URL.
    "KEYCLOAK_PUBLIC_URL": None,
    "KEYCLOAK_REALM": "woundwo",
    "KEYCLOAK_CLIENT_ID": "b2b-bridge",
    "KEYCLOAK_CLIENT_SECRET": None,
    # Seconds; /readyz and the e-mail check must answer within 2 s even when Keycloak hangs.
    "KEYCLOAK_TIMEOUT": 1.5,
    "CORS_ORIGINS": "",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "MAIL_FROM": "noreply@woundwo.com",
    "MAIL_FROM_NAME": "WOUNDWO B2B",
    "SESSION_COOKIE_NAME": "woundwo_bridge_session",
    # The manager review UI signs in with this Keycloak client; its session ends after idle minutes.
    "MANAGER_CLIENT_ID": "b2b-manager",
    "MANAGER_CLIENT_SECRET": None,
    "MANAGER_IDLE_MINUTES": 30,
    "LOG_LEVEL": "INFO",
    # When set, /metrics answers only requests with "Authorization: Bearer <token>".
    "METRICS_TOKEN": "",
    # Reverse proxies in front of the bridge whose X-Forwarded-For is trusted (0: none).
    "TRUSTED_PROXIES": 0,
    # Flask-Limiter counters: memory:// for one process, redis://host:6379 when several share them.
    "RATELIMIT_STORAGE_URI": "memory://",
    # The live e-mail check (DESIGN.md §7). Limits use Flask-Limiter's notation.
    "EMAIL_CHECK_ENABLED": True,
    "EMAIL_CHECK_LIMIT_PER_IP": "60 per minute;1000 per day",
    "EMAIL_CHECK_LIMIT_GLOBAL": "100 per second",
    "EMAIL_STATUS_TTL_KNOWN": 120,
    "EMAIL_STATUS_TTL_UNKNOWN": 20,
    # After Keycloak failed to answer a check, cache misses answer "unavailable" at once for this long.
    "EMAIL_STATUS_FAILURE_PAUSE": 10,
    # Customer numbers as printed on invoices, after removing spaces.
    "CUSTOMER_NUMBER_PATTERN": r"^[0-9]{5,10}$",
    # Requests for a customer without a regional manager go here (and the customer is flagged).
    "FALLBACK_MANAGER_EMAIL": None,
    # The account-request form: per-IP submissions, and the least time a person needs to fill it.
    "REQUEST_LIMIT_PER_IP": "10 per hour;30 per day",
    "REQUEST_MIN_FILL_SECONDS": 3,
    # The outbox worker: delivery attempts before an item is shown as failed, and the poll interval.
    "OUTBOX_MAX_ATTEMPTS": 8,
    "WORKER_POLL_SECONDS": 5,
    "WORKER_KEYCLOAK_TIMEOUT": 10,
    # Public pages linked from the bridge; "{lang}" is replaced by fr, de or en. Empty hides the link.
    "CONTACT_URL": "",
    "PRIVACY_URL": "",
    # Keycloak's "forgot password" page; defaults to the realm's reset page for the account console.
    "RESET_PASSWORD_URL": None,
    # Where "back to the sign-in page" leads from the public pages; defaults to the realm's account page.
    "SIGN_IN_URL": None,
    # Company time zone: dates on pages, and the next-day 04:00 activation.
    "TIME_ZONE": "Europe/Paris",
    # The activation e-mail: Keycloak's set-password link, valid this many days, returning to the portal.
    "ACTIVATION_LINK_DAYS": 7,
    "ACTIVATION_CLIENT_ID": "b2b-portal",
    "PORTAL_URL": "",
    # Tests only: "crash-after-activation-send" makes the worker die between Keycloak's e-mail and the commit.
    "FAULT_INJECTION": "",
}

REQUIRED = ("SECRET_KEY", "PUBLIC_URL", "KEYCLOAK_URL", "KEYCLOAK_CLIENT_SECRET", "MANAGER_CLIENT_SECRET",
            "FALLBACK_MANAGER_EMAIL")


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed."""


def check(config: dict) -> None:
    """Refuse to start with missing required settings, naming the environment variables."""
    missing = [f"BRIDGE_{key}" for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigurationError("missing settings: " + ", ".join(missing))
    config["PUBLIC_URL"] = str(config["PUBLIC_URL"]).rstrip("/")
    config["KEYCLOAK_URL"] = str(config["KEYCLOAK_URL"]).rstrip("/")
    config["KEYCLOAK_PUBLIC_URL"] = str(config["KEYCLOAK_PUBLIC_URL"] or config["KEYCLOAK_URL"]).rstrip("/")
    realm_url = f"{config['KEYCLOAK_PUBLIC_URL']}/realms/{config['KEYCLOAK_REALM']}"
    config["RESET_PASSWORD_URL"] = config["RESET_PASSWORD_URL"] or \
        f"{realm_url}/login-actions/reset-credentials?client_id=account-console"
    config["SIGN_IN_URL"] = config["SIGN_IN_URL"] or f"{realm_url}/account"
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIME_ZONE"]


def cors_origins(config: dict) -> set[str]:
    """The origins (Keycloak's) allowed to call the JSON API from a browser."""
    return {origin.strip().rstrip("/") for origin in str(config["CORS_ORIGINS"]).split(",") if origin.strip()}
