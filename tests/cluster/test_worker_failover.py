"""Two outbox workers on the one bridge database ("two hosts"), one killed with SIGKILL mid-batch: the
200 activation e-mails due arrive once each (the claim lease is short here, 15 s, so the dead worker's
claims are taken over within the test).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bridge.core.models import utcnow
from devstack.bulk_activations import Mailbox, insert_due_activations, partner_accounts, sent_emails, wait_until
from devstack.processes import kill
from tests.integration.test_activation import SUBJECTS

pytestmark = pytest.mark.cluster

PEOPLE = 200
KILL_AFTER = 50  # activation e-mails out before the first worker dies


def test_two_workers_one_killed_mid_batch_send_every_activation_exactly_once(cluster):
    keycloak = SimpleNamespace(url=cluster.keycloak_internal_url, reused=False)
    database = cluster.postgres.url("bridge")
    with partner_accounts(keycloak, cluster.env["BRIDGE_KEYCLOAK_CLIENT_SECRET"], "workers", PEOPLE) as people:
        mailbox = Mailbox(cluster.mail_api_url, SUBJECTS)
        addresses = {person.email for person in people}
        insert_due_activations(database, people, utcnow())

        wait_until(lambda: len(mailbox.messages_to(addresses)) >= KILL_AFTER, 300, alive=cluster.workers,
                   what=f"{KILL_AFTER} activation e-mails")
        victim, survivor = cluster.workers
        kill(victim)
        wait_until(lambda: addresses <= sent_emails(database), 300, alive=[survivor], what="every activation sent")

        assert mailbox.problems(people) == []
