"""Examples of apps that use WOUNDWO B2B access (see docs/portal-integration.md)."""
