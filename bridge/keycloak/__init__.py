"""Keycloak behind an interface: what the bridge needs from it, and the python-keycloak gateway."""
