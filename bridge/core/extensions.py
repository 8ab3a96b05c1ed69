"""Flask extensions, created once and bound to the app in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
# The client IP is request.remote_addr, corrected by ProxyFix when BRIDGE_TRUSTED_PROXIES > 0.
limiter = Limiter(key_func=get_remote_address)
