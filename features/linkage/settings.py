"""The Splink model: comparisons, blocking rules and training rules, built from our Settings.

Comparisons expect the mess that council systems really hold:
- forename: exact (with term frequencies, so a rare name counts for more), the same formal
  name (``Alfie``/``Alfred``, see nicknames.py), Jaro-Winkler >= 0.92 and >= 0.8 for typos,
  one name a prefix of the other (``Sam``/``Samuel``);
- surname: exact (term frequencies), Jaro-Winkler >= 0.92 and >= 0.8 for typos;
- date of birth: exact, day and month swapped (``03/04`` keyed as ``04/03``), one character
  wrong (Damerau-Levenshtein 1: a digit typo or two digits transposed);
- sex: exact;
- postcode: exact, same sector, same district (families move, mostly nearby).

Blocking (which pairs are scored at all) must survive any single kind of error, so each rule
leaves out a different field: same date of birth (survives any name error and moves); same
formal forename and surname (survives a wrong or swapped date); same surname and year of
birth (survives a nickname or forename typo together with a swapped date); same postcode
and formal forename (survives a surname typo with a date error). Pairs inside one exact-key
group are already linked and are never scored again.
"""

from __future__ import annotations

from typing import Any

from earlyhelp.settings import LinkageSettings

# Blocked pairs only ever compare records of two *different* exact-key groups.
_OTHER_GROUP = "l.exact_group <> r.exact_group"

BLOCKING_RULES: tuple[str, ...] = (
    f"l.dob_str = r.dob_str AND {_OTHER_GROUP}",
    f"l.forename_formal = r.forename_formal AND l.surname_std = r.surname_std AND {_OTHER_GROUP}",
    f"l.surname_std = r.surname_std AND l.dob_year = r.dob_year AND {_OTHER_GROUP}",
    f"l.postcode_std = r.postcode_std AND l.forename_formal = r.forename_formal AND {_OTHER_GROUP}",
)

# What the link report says about how links are made (the rules themselves are listed beside).
METHOD: dict[str, str] = {
    "exact": "identifiers sharing LAchildID (Annex A, CIN census, SSDA903) or a UPN (school "
    "and CIN census records) are one child without scoring",
    "blocking": "Splink compares only record pairs of different exact groups that agree on "
    "date of birth, or on formal forename and surname, or on surname and birth year, or on "
    "postcode and formal forename: each rule survives a different fault (typos, nicknames, "
    "day/month swaps, moves)",
    "estimation": "u from random pairs; m counted from the record pairs already known to "
    "match through a shared key, then refined by expectation maximisation twice, once "
    "blocked on date of birth (learns names, sex, postcode) and once on names and postcode "
    "(learns date of birth); the prior from a deterministic rule on forename, surname and "
    "date of birth",
    "threshold": "pairs at or above the threshold are linked automatically (nine-to-one odds "
    "or better: a wrong merge puts one child's history on another's record); pairs in the "
    "review band go to a person; a pair whose forenames disagree outright is never linked "
    "automatically (twins)",
    "decisions": "a reviewer's match always joins; a non-match keeps the two apart even "
    "through links via a third record (the weakest such link is dropped)",
}

# Deterministic rules for the prior (probability two random records match): very few false
# positives; about 70% of true pairs agree on all three despite typos, moves and nicknames.
PRIOR_RULE_FIELDS: tuple[str, ...] = ("forename_formal", "surname_std", "dob_str")
PRIOR_RULE_RECALL = 0.7

# Expectation maximisation runs twice, each time blocking on fields it then cannot learn:
# once on date of birth (learns names, sex, postcode), once on names and postcode (learns
# date of birth). Names alone are not enough: same-named children of one council then look
# like one child with a wrong date of birth.
EM_BLOCKING_FIELDS: tuple[tuple[str, ...], ...] = (
    ("dob_str",),
    ("forename_formal", "surname_std", "postcode_std"),
)

# Twin guard: a pair is linked automatically only if its forenames add at least this many
# bits of evidence (exact, nickname, typo or prefix). Twins agree on everything else.
TWIN_GUARD_MIN_FORENAME_WEIGHT = 1.0

# u (agreement among non-matches) is estimated from random pairs; more pairs on bigger data.
U_MAX_PAIRS = 1e6
U_PAIRS_PER_RECORD = 300


def _forename() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="forename",
        comparison_description="forename with nicknames and typos",
        comparison_levels=[
            cll.NullLevel("forename_std"),
            cll.ExactMatchLevel("forename_std", term_frequency_adjustments=True),
            cll.ArrayIntersectLevel("forename_formals", min_intersection=1).configure(
                label_for_charts="Same formal name (nickname)"
            ),
            cll.JaroWinklerLevel("forename_std", 0.92),
            cll.DamerauLevenshteinLevel("forename_std", 1),
            cll.CustomLevel(
                "length(forename_std_l) >= 3 AND length(forename_std_r) >= 3 AND ("
                "substr(forename_std_l, 1, length(forename_std_r)) = forename_std_r OR "
                "substr(forename_std_r, 1, length(forename_std_l)) = forename_std_l)",
                label_for_charts="One forename a prefix of the other",
            ),
            cll.JaroWinklerLevel("forename_std", 0.8),
            cll.ElseLevel(),
        ],
    )


def _dob() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth with typos and day/month swaps",
        comparison_levels=[
            cll.NullLevel("dob_str"),
            cll.ExactMatchLevel("dob_str"),
            cll.CustomLevel("dob_swapped_l = dob_str_r", label_for_charts="Day and month swapped"),
            cll.DamerauLevenshteinLevel("dob_str", 1),
            cll.ElseLevel(),
        ],
    )


def splink_settings(linkage: LinkageSettings, m_floor: float | None = None) -> Any:
    """The Splink ``SettingsCreator`` for a dedupe over all person records.

    With ``m_floor``, every level starts with that m probability: m is then estimated from
    known matches, and a level never seen among them keeps the floor (half a count) instead
    of a guess, so for example a wholly different date of birth stays strong evidence
    against a match.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule

    comparisons = [
        _forename(),
        cl.NameComparison("surname_std", jaro_winkler_thresholds=[0.92, 0.8]),
        _dob(),
        cl.ExactMatch("sex_std"),
        cl.PostcodeComparison("postcode_std"),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[_with_m_floor(c, m_floor) for c in comparisons],
        blocking_rules_to_generate_predictions=[CustomRule(rule) for rule in BLOCKING_RULES],
        retain_matching_columns=False,
        # keeps mw_forename, which the twin guard in pipeline.py reads
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
        em_convergence=0.001,
    )


def _with_m_floor(comparison: Any, m_floor: float | None) -> Any:
    if m_floor is None:
        return comparison
    levels = [lvl for lvl in comparison.create_comparison_levels() if not lvl.is_null_level]
    return comparison.configure(m_probabilities=[m_floor] * len(levels))


def review_floor(linkage: LinkageSettings) -> float:
    """Lowest probability worth keeping from prediction: the bottom of the review band."""
    return min(linkage.review_low, linkage.match_threshold)
