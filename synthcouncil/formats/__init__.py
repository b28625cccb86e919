"""DfE format specifications (CIN census XSD, SSDA903 columns and codes); see SOURCE.md."""

from __future__ import annotations

from pathlib import Path

FORMATS_DIR = Path(__file__).parent
CIN_XSD = FORMATS_DIR / "CIN_schema_2024.xsd"
SSDA903_YML = FORMATS_DIR / "SSDA903_schema_2024.yml"
CIN_CODELISTS = FORMATS_DIR / "cin_2024_codelists.json"
