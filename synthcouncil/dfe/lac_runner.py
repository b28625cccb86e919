"""Run the DfE SSDA903 validation rules on one year's return; write failures per rule as JSON.

Runs inside its own virtual environment (``csc-validator-be-903`` pins pandas 1.5), so it
imports nothing from this project. Usage:
``python lac_runner.py RULESET YEAR LA_CODE OUT.json THIS_YEAR_CSV... [--last PREV_CSV...]``
where YEAR is the collection year's end (2020 for 2019/20) and LA_CODE the council's
nine-character code (placements outside it are "out of area").

A failure is one rule failing for one child (however many of the child's rows it names).
Columns the DfE layout does not have (a local ``DATE_RECORDED``) and exact repeated rows are
dropped before upload; the repeated rows are counted in the result.
"""

import importlib
import json
import logging
import sys

import pandas as pd

logging.disable(logging.INFO)  # the package logs every rule at INFO

from lac_validator import lac_validator  # noqa: E402
from lac_validator.config import column_names  # noqa: E402


def _upload(path: str, description: str, removed: dict) -> dict:
    """One file as the validator's upload, without exact repeated rows: the generator's
    extracts repeat a few rows on purpose (an extract joined twice), a fault a council removes
    before it submits a return (and ingest quarantines); they are counted, not validated."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for columns in column_names.values():
        if set(columns) <= set(frame.columns):
            frame = frame[columns]
            break
    removed[path] = int(frame.duplicated().sum())
    frame = frame.drop_duplicates()
    return {"name": path, "description": description,
            "file_content": frame.to_csv(index=False).encode()}


def main(argv: list) -> None:
    ruleset, year, la_code, out, *paths = argv
    last = paths[paths.index("--last") + 1:] if "--last" in paths else []
    this = paths[:paths.index("--last")] if "--last" in paths else paths
    removed: dict = {}
    files = [_upload(p, "This year", removed) for p in this]
    files += [_upload(p, "Prev year", {}) for p in last]
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    validator = lac_validator.LacValidator(
        metadata={"collectionYear": str(year), "localAuthority": la_code},
        files=files, registry=registry,
    )
    children: dict = {}
    for name, table in validator.ds_results.items():
        if name == "metadata" or name.endswith("_last") or "CHILD" not in table:
            continue
        for col in (c for c in table.columns if c.startswith("ERR_")):
            failing = table.loc[table[col].fillna(False).astype(bool), "CHILD"]
            children.setdefault(col[4:], set()).update(failing.dropna())
    failures = {code: len(kids) for code, kids in children.items() if kids}
    with open(out, "w") as f:
        json.dump({
            "files": this, "last_year_files": last, "ruleset": ruleset, "year": int(year),
            "children": int(validator.dfs["Header"]["CHILD"].nunique()),
            "failures": failures,
            "messages": {str(code): registry[code].message for code in failures},
            "rules_run": len(validator.dones), "rules_skipped": len(validator.skips),
            "rules_raised": validator.fails,
            "repeated_rows_removed": sum(removed.values()),
        }, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
