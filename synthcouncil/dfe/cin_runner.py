"""Run the DfE CIN validation rules on one CIN census XML; write failures per rule as JSON.

Runs inside its own virtual environment (``csc-validator-be-cin`` pins pandas 1.5), so it
imports nothing from this project. Usage: ``python cin_runner.py RULESET FILE.xml OUT.json``.

A failure is one rule failing for one child (however many of the child's rows it names), or
once per return for a rule about the whole return. Rules that raise are listed apart.
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

CHUNK = 250  # children per conversion: the package's converter is quadratic in children


def _tables(root: ET.Element) -> dict:
    """The package's own converter, run on chunks of children and stacked (its row ids reset
    per child, so the result is the same as converting the whole file, only faster)."""
    children = root.find("Children")
    if children is None:
        raise SystemExit("no Children element: is this a CIN census file?")
    kids = children.findall("Child")
    parts = []
    for i in range(0, max(len(kids), 1), CHUNK):
        for kid in list(children):
            children.remove(kid)
        children.extend(kids[i:i + CHUNK])
        parts.append(cin_validator.convert_data(root))
    return {
        name: pd.concat([p[name] for p in parts], ignore_index=True)
        if name != "Header" else parts[0][name]
        for name in parts[0]
    }


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
    data = cin_validator.process_data(_tables(ET.parse(path).getroot()))
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
