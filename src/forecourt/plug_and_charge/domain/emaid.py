"""eMAIDs (ISO 15118 contract ids): one spelling, whatever the car or the station wrote."""

from __future__ import annotations


def normalized_emaid(text: str) -> str:
    """ "DE-FCO-C00000001-A" and "defcoc00000001a" are one contract: no dashes, upper case."""
    return text.replace("-", "").replace(" ", "").upper()


def emaid_matches(presented: str, certificate_common_name: str) -> bool:
    """The idToken a station sends must be the eMAID its contract certificate names."""
    return normalized_emaid(presented) == normalized_emaid(certificate_common_name)
