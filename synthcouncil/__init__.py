"""A synthetic English council: simulates children month by month and writes what its systems
would export, in the statutory formats (Annex A, CIN census, SSDA903, school census, youth
justice and early help extracts), plus the truth a real council never has.

It stands in for the council's source systems; the product never imports it while scoring.
"""

from synthcouncil.config import MessConfig, SynthConfig, WorldPaths
from synthcouncil.generate import generate

__all__ = ["MessConfig", "SynthConfig", "WorldPaths", "generate"]
