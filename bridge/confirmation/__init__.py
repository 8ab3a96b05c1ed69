"""The yearly confirmation: each customer's team admin (or regional manager) confirms who still works there."""
