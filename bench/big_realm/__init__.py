"""A realm of 100,000 partners (issue 19, section 3): generate it once, then time what people feel.

`python -m bench.big_realm` fills (or reuses) its own PostgreSQL cluster with two databases, as production
keeps them:

* `keycloak`: Keycloak 26.7.3's own database, realm `woundwo` from realm-export.json, the demo accounts, 8
  regional managers, 100,000 partner users (`b2b-partner`, a `customer_number` attribute, a password) in 20,000
  organizations (5 each; every tenth organization has a team admin);
* `bridge`: the bridge's database, migrated by `flask --app bridge db upgrade`, the 100,000-row directory
  imported by `flask --app bridge customers import`, and 50,000 requests (10,000 pending, spread over the 8
  managers) with their audit events and sent e-mails.

How it is generated (`keycloak_data.py`, `bridge_data.py`) and what is timed (`measure.py`) is said there.
The cluster is kept in `.devstack/bench-big-realm/data/` (git-ignored; not under ~/.cache, which PostgreSQL's
own user cannot reach when the bench runs as root) with a note of what it holds, so a rerun skips the
generation; `--regenerate` starts again, `rm -rf .devstack/bench-big-realm` removes everything.

Ports (never the test suite's, `make run`'s or the other benches'): Keycloak 28380 (management 29300),
the bridge under gunicorn 28300, Redis 26679; PostgreSQL on a free port. (The SMTP port 21325 only fills the
realm's placeholder: nothing measured here sends mail.)
"""

from __future__ import annotations

from devstack.settings import REPO_ROOT, Ports

PORTS = Ports(keycloak=28380, keycloak_management=29300, bridge=28300, portal=28301, smtp=21325, mail_http=28325)
REDIS_PORT = 26679
STATE = REPO_ROOT / ".devstack" / "bench-big-realm"  # Keycloak's install folder, logs
CACHE = STATE / "data"  # the generated PostgreSQL cluster and the note of what it holds
