"""OCPI's pure model: versions, parties, status codes and neutral location views."""
