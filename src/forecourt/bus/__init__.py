"""Event buses: in-process by default; NATS for multi-node deployments."""
