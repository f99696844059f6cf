"""WebSocket edge: subprotocol negotiation, security profiles, connection registry."""
