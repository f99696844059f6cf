"""Payments: a bank card at the dispenser, no app, no account (docs/payments.md).

The feature slice: ``feature.py`` installs it; ``adapters.py`` builds the payment provider and
the receipt mailer from settings.
"""
