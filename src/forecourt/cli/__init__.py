"""The ``forecourt`` command line: Typer + Rich. The entry point is ``forecourt.cli.main:app``."""
