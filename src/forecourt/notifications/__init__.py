"""Outbound notifications: e-mail (SMTP) and webhooks, for features that alert or send receipts."""
