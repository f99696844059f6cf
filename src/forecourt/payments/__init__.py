"""Payments: a bank card at the dispenser, no app, no account (docs/payments.md).

The feature slice: ``feature.py`` installs it and is the only module that wires its adapters
(``providers/``: the payment provider and the receipt mailer, from settings). Inside, the
layers of the core: ``domain`` < ``ports`` < ``services`` < ``keys`` < ``api``/``web``/``cli``/
``storage``/``providers`` < ``feature`` (import-linter holds them).
"""
