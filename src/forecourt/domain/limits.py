"""Integer limits storage can bind: 32-bit keys and OCPP integers, 64-bit big keys and money.

Kept in the domain so every entry point (API, pages, CLI) bounds input by the same numbers
without importing another entry point's framework.
"""

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
#: How far back a report may look (a century; further would leave the calendar).
MAX_LOOKBACK_DAYS = 36_500
