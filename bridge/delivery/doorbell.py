"""An idle worker's doorbell: on PostgreSQL, a transaction that queues outbox work rings it, and the worker
starts at once instead of at its next poll (BRIDGE_WORKER_POLL_SECONDS, 5 s by default: an approval would
wait 2.5 s on average before its account is created; docs/benchmarks.md §7).

The ring is PostgreSQL's NOTIFY, which the server delivers only when the transaction commits (a rolled back
approval rings nothing) and only once per transaction however many rows it queued. The worker LISTENs on a
connection of its own; a ring that arrives while it works waits in that connection and ends its next wait at
once, so none is lost. Elsewhere (SQLite, one machine) the worker only polls, as before; and if the listening
connection fails, the worker polls until it can listen again. Polling stays in any case: work that becomes due
later (a retry's backoff, the 04:00 activations) rings nothing.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CHANNEL = "bridge_outbox"
SLICE_SECONDS = 0.5  # how soon a waiting worker notices SIGTERM


def ring(session: Session) -> None:
    """Ring the workers' doorbell when the caller's transaction commits (PostgreSQL only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


class Doorbell:
    """What an idle worker waits on: a ring, the poll interval, or the stop signal, whichever comes first."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection: Connection | None = None

    def _listener(self):
        """The psycopg connection that LISTENs, opened on first use; None where there is no doorbell."""
        if self.engine.dialect.name != "postgresql":
            return None
        if self._connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"LISTEN {CHANNEL}")
            self._connection = connection
        return self._connection.connection.driver_connection

    def wait(self, seconds: float, stopping: threading.Event) -> None:
        """Return when the doorbell rings, after `seconds`, or when `stopping` is set."""
        deadline = time.monotonic() + seconds
        try:
            listener = self._listener()
            while listener is not None and not stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                if list(listener.notifies(timeout=min(remaining, SLICE_SECONDS), stop_after=1)):
                    return
        except (SQLAlchemyError, psycopg.Error, OSError) as exc:  # the poll below still runs
            log.warning("outbox doorbell: %s; polling every %s s until it listens again", type(exc).__name__, seconds)
            self.close()
        stopping.wait(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # a broken connection may fail to close; it is dropped either way
                pass
            self._connection = None
