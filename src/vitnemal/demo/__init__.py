"""The demo federation: real Norwegian institutions, their catalogues and thousands of people with realistic study
histories, generated deterministically from a seed (``vitnemal federation generate``)."""

from vitnemal.demo.generator import FederationExists, FederationSummary, generate_federation
from vitnemal.demo.histories import REFERENCE_DATE

__all__ = ["REFERENCE_DATE", "FederationExists", "FederationSummary", "generate_federation"]
