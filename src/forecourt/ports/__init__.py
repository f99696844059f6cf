"""Interfaces (typing.Protocol) the services need from the outside world."""
