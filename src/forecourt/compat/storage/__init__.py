"""The compat slice's storage: stalls (revision 0060_compat_stalls)."""
