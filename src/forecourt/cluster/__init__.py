"""Cluster mode (FORECOURT_NATS_URL): several `forecourt serve` nodes share one PostgreSQL
database and meet on NATS: station presence in a JetStream key-value bucket, commands for a
station held by another node as NATS requests to that node
(docs/adr/0013-cluster-presence-and-commands.md)."""
