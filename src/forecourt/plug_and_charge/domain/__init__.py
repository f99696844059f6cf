"""Pure Plug & Charge rules."""
