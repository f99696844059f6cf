"""Pure allocation rules of smart charging: no I/O, no clock."""
