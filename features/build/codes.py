"""Code lists the features read: statutory codes grouped the way practitioners talk about them.

CIN referral sources and assessment factors follow the CIN census code lists; suspension
reasons follow the DfE exclusions return; ethnicity groups are the five ONS groups.
"""

from __future__ import annotations

# CIN referral / contact sources, grouped (housing and early help count as local authority).
# 5B (youth offending service) and 7 (courts, probation, prison) are deliberately absent:
# they can reveal youth justice contact (see exclusions.py).
SOURCE_GROUPS: dict[str, tuple[str, ...]] = {
    "family": ("1A", "1B", "1C", "1D"),
    "school": ("2A", "2B"),
    "health": ("3A", "3B", "3C", "3D", "3E", "3F"),
    "police": ("6",),
    "local_authority": ("4", "5A", "5C", "5D"),
}

SOURCE_WORDS: dict[str, str] = {
    "family": "family, friends or the child",
    "school": "schools or education services",
    "health": "health services",
    "police": "the police",
    "local_authority": "housing or other council services",
}

# CIN assessment factor codes by what they tell a practitioner.
FACTOR_GROUPS: dict[str, tuple[str, ...]] = {
    "exploitation": ("24A", "11A", "CSE", "12A"),
    "criminal_exploitation": ("24A",),
    "gangs": ("13A",),
    "missing": ("10A",),
    "behaviour": ("14A",),
    "child_substance": ("1A", "2A"),
    "domestic_abuse": ("3A", "3B", "3C"),
    "parental_mental_health": ("4B",),
    "parental_substance": ("1B", "2B"),
    "child_mental_health": ("4A",),
    "self_harm": ("15A",),
    "abuse_neglect": ("16A", "17A", "18A", "18B", "18C", "19A", "19B", "19C"),
}

FACTOR_WORDS: dict[str, str] = {
    "exploitation": "exploitation (criminal or sexual) or trafficking",
    "criminal_exploitation": "child criminal exploitation",
    "gangs": "gang involvement",
    "missing": "going missing",
    "behaviour": "socially unacceptable behaviour",
    "child_substance": "the child's own drug or alcohol misuse",
    "domestic_abuse": "domestic abuse",
    "parental_mental_health": "a parent's mental ill health",
    "parental_substance": "a parent's drug or alcohol misuse",
    "child_mental_health": "the child's mental health",
    "self_harm": "self-harm",
    "abuse_neglect": "abuse or neglect",
}

# DfE suspension and permanent exclusion reasons.
EXCLUSION_REASON_GROUPS: dict[str, tuple[str, ...]] = {
    "violence": ("PP", "PA"),
    "weapons": ("OW",),
    "drugs": ("DA",),
    "disruption": ("PD",),
}

EXCLUSION_WORDS: dict[str, str] = {
    "violence": "physical assault",
    "weapons": "an offensive weapon",
    "drugs": "drug or alcohol related behaviour",
    "disruption": "persistent disruptive behaviour",
}

PERSISTENT_ABSENCE_RATE = 0.10

# CIN ethnicity codes -> the five ONS groups (2021 census: Chinese is in the Asian group).
ETHNICITY_GROUPS: dict[str, tuple[str, ...]] = {
    "White": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian": ("AIND", "APKN", "ABAN", "AOTH", "CHNE"),
    "Black": ("BCRB", "BAFR", "BOTH"),
    "Other": ("OOTH",),
}

# CIN disability codes; anything else non-blank other than these "no" codes counts as yes.
NO_DISABILITY_CODES: tuple[str, ...] = ("NONE", "N", "NO")
UNKNOWN_DISABILITY_CODES: tuple[str, ...] = ("", "NOBT", "REFU", "UNKNOWN")

AGE_MIN = 10
AGE_MAX = 17


def sql_list(codes: tuple[str, ...]) -> str:
    """A SQL ``IN`` list of string literals (codes are constants here, never user input)."""
    return "(" + ", ".join("'" + c.replace("'", "''") + "'" for c in codes) + ")"
