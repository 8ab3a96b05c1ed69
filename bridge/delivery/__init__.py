"""What happens after a decision: the outbox and its worker, e-mails, provisioning in Keycloak, and the
next-day 04:00 activation."""
