"""Compatibility use cases: the network as a driver meets it, vehicle search, advice."""
