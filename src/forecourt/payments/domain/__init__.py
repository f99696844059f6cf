"""Payments' pure model: the payment state machine, tariffs and what a session costs."""
