"""Account requests by customer number, and the public pages around them (request form, help)."""
