"""The help page and its contact form, which reaches the customer's regional manager without showing their address."""
