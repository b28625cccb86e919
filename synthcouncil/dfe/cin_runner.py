"""Run the DfE CIN validation rules on one CIN census XML; write failures per rule as JSON.

Runs inside its own virtual environment (``csc-validator-be-cin`` pins pandas 1.5), so it
imports nothing from this project. Usage: ``python cin_runner.py RULESET FILE.xml OUT.json``.

A failure is one rule failing for one child (however many of the child's rows it names), or
once per return for a rule about the whole return. Rules that raise are listed apart.

The package's XML converter takes about 10 ms a child (a DataFrame concatenation per child
and table), so the tables are built here in one pass; every run converts the first 200
children both ways and stops if the two differ.
"""

import contextlib
import importlib
import io
import json
import re
import sys
import xml.etree.ElementTree as ET

import pandas as pd
from cin_validator import cin_validator
from cin_validator.ingress import XMLtoCSV

TABLES = ("ChildIdentifiers", "ChildCharacteristics", "ChildProtectionPlans", "CINdetails",
          "CINplanDates", "Reviews", "Section47", "Assessments", "AssessmentFactorsList",
          "Disabilities")

CHECKED = 200  # children converted both ways on every run, to show the two agree


def _package_tables(root: ET.Element) -> dict:
    """The package's own converter (one DataFrame concatenation per child and table, so slow:
    about 10 ms a child)."""
    return cin_validator.convert_data(root)


def _one(parent: ET.Element, name: str) -> ET.Element:
    found = parent.find(name)
    if found is None:
        raise SystemExit(f"no {name} element under {parent.tag}: is this a CIN census file?")
    return found


def _text(block: ET.Element, name: str) -> object:
    found = block.find(name)
    return pd.NA if found is None else found.text


def _fast_tables(root: ET.Element) -> dict:
    """The same tables as the package's ``XMLtoCSV``, built from lists in one pass."""
    cols = {name: list(getattr(XMLtoCSV, name).columns) for name in TABLES}
    rows: dict = {name: [] for name in TABLES}

    def take(table: str, ids: dict, block: ET.Element) -> dict:
        row = dict(ids)
        for col in cols[table]:
            if col not in ids:
                row[col] = _text(block, col)
        rows[table].append(row)
        return row

    for child in _one(root, "Children"):
        identifiers = _one(child, "ChildIdentifiers")
        ids = {col: _text(identifiers, col) for col in cols["ChildIdentifiers"]}
        rows["ChildIdentifiers"].append(ids)
        la = {"LAchildID": ids["LAchildID"]}
        chars = _one(child, "ChildCharacteristics")
        take("ChildCharacteristics", la, chars)
        for block in chars.findall("Disabilities"):
            for d in block:
                rows["Disabilities"].append({**la, "Disability": d.text})
        for n, details in enumerate(child.findall("CINdetails"), start=1):
            cin = {**la, "CINdetailsID": n}
            take("CINdetails", cin, details)
            for m, assessment in enumerate(details.findall("Assessments"), start=1):
                a = {**cin, "AssessmentID": m}
                row = take("Assessments", a, assessment)
                factors = assessment.find("FactorsIdentifiedAtAssessment")
                if factors is not None and len(factors):
                    for f in factors:
                        rows["AssessmentFactorsList"].append({**a, "AssessmentFactor": f.text})
                    row["AssessmentFactors"] = [f.text for f in factors]
            for dates in details.findall("CINPlanDates"):
                take("CINplanDates", cin, dates)
            for s47 in details.findall("Section47"):
                take("Section47", cin, s47)
            for k, plan in enumerate(details.findall("ChildProtectionPlans"), start=1):
                take("ChildProtectionPlans", {**cin, "CPPID": k}, plan)
                for review in plan.findall("Reviews[CPPreviewDate]"):
                    take("Reviews", {**cin, "CPPID": k}, review)
    tables = {name: pd.DataFrame(found, columns=cols[name]).astype(object)
              for name, found in rows.items()}
    tables["Header"] = XMLtoCSV.create_Header(None, _one(root, "Header"))
    return {name: tables[name] for name in ("Header", *TABLES)}


def _sample(root: ET.Element, n: int) -> ET.Element:
    copy = ET.Element(root.tag)
    copy.append(_one(root, "Header"))
    children = ET.SubElement(copy, "Children")
    children.extend(list(_one(root, "Children"))[:n])
    return copy


def _check_converter(root: ET.Element) -> None:
    sample = _sample(root, CHECKED)
    ours, theirs = _fast_tables(sample), _package_tables(sample)
    for name, frame in theirs.items():
        pd.testing.assert_frame_equal(
            ours[name].reset_index(drop=True), frame.reset_index(drop=True).astype(object),
            check_dtype=False, obj=name)


def _run(data: dict, registry: dict, rules: list | None) -> tuple[dict, dict]:
    """Failures per rule, and the rules that raised (the package prints and skips them)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        validator = cin_validator.CinValidator(data, registry, selected_rules=rules)
    issues = validator.full_issue_df
    by_rule = issues.groupby(issues["rule_code"].astype(str))["child_id"].nunique()
    failures = {code: int(n) for code, n in by_rule.items()}
    for code in validator.multichild_issues["rule_code"].astype(str).unique():
        failures[code] = failures.get(code, 0) + 1
    return failures, dict(re.findall(r"Error with rule (\w+): (.*)", printed.getvalue()))


def main(ruleset: str, path: str, out: str) -> None:
    root = ET.parse(path).getroot()
    _check_converter(root)
    data = cin_validator.process_data(_fast_tables(root))
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    messages = {str(rule.code): rule.message for _, rule in registry.items()}
    failures, errored = _run(data, registry, None)
    if errored:
        # Rule 8614 (0.1.13) groups by the list of factors and raises exactly when an
        # assessment fails it; with the lists as tuples it counts them.
        factors = data["Assessments"]["AssessmentFactors"]
        data["Assessments"]["AssessmentFactors"] = factors.map(
            lambda v: tuple(v) if isinstance(v, list) else v)
        again, errored = _run(data, registry, list(errored))
        failures.update(again)
    with open(out, "w") as f:
        json.dump({
            "file": path, "ruleset": ruleset,
            "children": int(data["ChildIdentifiers"]["LAchildID"].nunique()),
            "failures": failures,
            "messages": {code: messages.get(code, "") for code in failures},
            "rules_run": len(messages),
            "rules_raised": errored,
        }, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
