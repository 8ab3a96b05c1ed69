"""Personal data kept no longer than needed: retention, a person's export and erasure, inactive accounts."""
