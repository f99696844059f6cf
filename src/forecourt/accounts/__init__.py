"""Billing accounts as a feature slice (docs/plug-and-charge.md, "Accounts"): a utility
customer, a landlord's unit or a fleet holds tokens of any kind; account-billed sites
accrue those tokens' sessions to the account; monthly statements in CSV and JSON."""
