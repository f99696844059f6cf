"""Any car, any plug: which plug works for a car, how fast, and why (``docs/compat.md``).

A feature slice: ``domain`` (the pure catalogue, rules and estimates), ``services``,
``schemas`` (the JSON answers the API and the CLI's ``--json`` share), ``api``, ``web``,
``cli``, wired only by ``feature``.  Cheap to import on purpose: ``forecourt --help`` imports
``feature`` and ``keys``, which must not pull in the engine.
"""
