"""Flask extensions, created once and bound to the app in create_app()."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

from bridge.core.addresses import keyed_hash, normalize

babel = Babel()
csrf = CSRFProtect()
# The client IP is request.remote_addr, corrected by ProxyFix when BRIDGE_TRUSTED_PROXIES > 0.
limiter = Limiter(key_func=get_remote_address)


def accepted(response) -> bool:
    """For `deduct_when`: a public form's post counts against its limit only when it was accepted (a redirect to
    the confirmation), so refused posts (typos) do not use up what an office may send."""
    return response.status_code == 302


def posted_address() -> str:
    """For `key_func`: the e-mail address a form was posted with, normalized, so a limit follows the address;
    as a keyed hash, since the counters are kept (in Redis, up to a day) where logs' rules apply too."""
    address = normalize(request.form.get("email", ""))
    return keyed_hash(current_app.secret_key, address) if address else "-"
