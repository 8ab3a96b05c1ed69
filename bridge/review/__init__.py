"""The managers' review UI: sign-in, the queue, decisions, reassignment and revocation."""
