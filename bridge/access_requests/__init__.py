"""Account requests by customer number: the request form, its rules and its confirmation."""
