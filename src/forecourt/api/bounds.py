"""Bounds for every integer the API, the pages and the CLI accept.

Storage binds integers as 32-bit (most keys, EVSE and connector numbers, OCPP integers) or 64-bit
(big tables, money): a larger number must be a precise 422, never a failed database bind (500).
PostgreSQL's ``integer`` is 32-bit, so the 32-bit bounds matter even where SQLite would cope.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from forecourt.domain.limits import INT32_MAX, INT64_MAX

#: The key of a row in a 32-bit keyed table (transactions, API keys, tickets, users, ...).
RecordId = Annotated[int, Field(ge=1, le=INT32_MAX)]
#: The key of a row in a 64-bit keyed table (commands).
BigRecordId = Annotated[int, Field(ge=1, le=INT64_MAX)]
#: EVSE and connector numbers (OCPP integers, 32-bit columns); 0 where the route allows it.
PortNumber = Annotated[int, Field(ge=1, le=INT32_MAX)]
PortOrStation = Annotated[int, Field(ge=0, le=INT32_MAX, description="0 means the whole station.")]
#: Non-negative OCPP integers the CSMS sends on (request ids, remote start ids).
WireInt = Annotated[int, Field(ge=0, le=INT32_MAX)]
#: Any integer storage can bind (a tighter rule, if any, lives in the domain).
Int64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
#: How many rows to skip when paging.
Offset = Annotated[int, Field(ge=0, le=INT64_MAX)]
#: A page number of a paged list (pages below 1 show the first page).
PageNumber = Annotated[int, Field(le=INT32_MAX)]
