"""Commands for a station held by another node: a NATS request to that node, which makes
the OCPP call through its own gateway and answers with the station's result. A node that
does not hold the station (any more: it moved, or the node is gone) says so without calling,
so the asker may follow the station to its new node."""

from __future__ import annotations

import logging
from typing import Any

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import ConnectionClosedError, NoRespondersError, TimeoutError

from forecourt.cluster.codec import (
    decode_command,
    decode_result,
    dumps,
    encode_command,
    encode_result,
    loads,
)
from forecourt.cluster.link import NatsLink, subject_token
from forecourt.domain.commands import Command, CommandResult, CommandStatus
from forecourt.domain.errors import InvalidInput
from forecourt.ports.station_gateway import StationGateway

log = logging.getLogger("forecourt.cluster")

#: A node answers after its own call timeout; the requester waits this much longer.
REPLY_MARGIN_S = 2.0
#: The reply of a node that does not hold the station: the command was not sent.
NOT_HERE = "not_here"


def command_subject(link: NatsLink, node_id: str) -> str:
    return link.config.subject("node", subject_token(node_id), "command")


class CommandServer:
    """Answers other nodes' requests for stations connected here."""

    def __init__(self, link: NatsLink, local: StationGateway) -> None:
        self._link = link
        self._local = local
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        subject = command_subject(self._link, self._link.config.node_id)
        self._subscription = await self._link.client.subscribe(subject, cb=self._answer)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()

    async def _answer(self, message: Msg) -> None:
        try:
            request = loads(message.data)
            command = decode_command(request["command"])
            station_id = str(request["station_id"])
            if not self._local.is_connected(station_id):
                await message.respond(dumps({NOT_HERE: self._link.config.node_id}))
                return
            result = await self._local.send(station_id, command, float(request["timeout"]))
            reply: dict[str, Any] = encode_result(result)
        except InvalidInput as invalid:  # the requester raises it to its caller
            reply = {"invalid": str(invalid)}
        except Exception as error:  # a malformed request, a version skew between nodes
            log.warning("cluster: bad command request: %s", error)
            reply = {"status": CommandStatus.CALL_ERROR.value, "error": f"bad request: {error}"}
        await message.respond(dumps(reply))


class CommandClient:
    """Sends a command to the node holding the station."""

    def __init__(self, link: NatsLink) -> None:
        self._link = link

    async def send(
        self, node_id: str, station_id: str, command: Command, timeout: float
    ) -> CommandResult | None:
        """The station's result; None when the node does not hold the station or is gone
        (nothing was sent to the station)."""
        request = {"station_id": station_id, "command": encode_command(command), "timeout": timeout}
        try:
            message = await self._link.client.request(
                command_subject(self._link, node_id), dumps(request), timeout + REPLY_MARGIN_S
            )
        except NoRespondersError:
            return None
        except TimeoutError:
            return CommandResult(
                CommandStatus.TIMEOUT, error=f"no answer within {timeout:g} s (via {node_id})"
            )
        except ConnectionClosedError:
            return _offline("the cluster bus (NATS) is not reachable")
        reply = loads(message.data)
        if NOT_HERE in reply:
            return None
        if "invalid" in reply:
            raise InvalidInput(str(reply["invalid"]))
        return decode_result(reply)


def _offline(error: str) -> CommandResult:
    return CommandResult(CommandStatus.OFFLINE, error=error)
