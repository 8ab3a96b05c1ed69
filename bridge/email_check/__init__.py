"""The live e-mail check of the login pages: known, unknown or invalid, cached and rate-limited."""
