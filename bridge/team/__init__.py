"""The partners' team page: a customer's team admin sees and manages the colleagues of their customer number."""
