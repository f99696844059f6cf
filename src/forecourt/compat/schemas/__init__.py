"""The JSON shapes of compatibility answers: the API returns them, ``--json`` prints them."""
