"""The synthetic landing-zone generator (see README.md in this folder)."""

from orchestration.synthetic.landing_zone import generate_landing_zone

__all__ = ["generate_landing_zone"]
