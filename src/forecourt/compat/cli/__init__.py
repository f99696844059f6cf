"""``forecourt compat ...``: the commands and their Rich rendering."""
