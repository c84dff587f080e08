"""A scan report as text (people), JSON (scripts) or SARIF 2.1.0 (code-scanning dashboards)."""

from __future__ import annotations

import json
from typing import Any

from steward import __version__
from steward.discovery.findings import ERROR, Finding
from steward.discovery.scan import Report

_RULES = {
    "unsolicited": "A category the policy asks people not to send was found",
    "special": "A special category of personal data was found and is not declared",
    "undeclared": "Personal data in a column the register does not declare",
    "undeclared-by-name": "A column the register does not declare is named like personal data",
    "wrong-category": "A column holds a category its declaration does not cover",
    "sparse": "A few valid identifiers in a column: too few to tag it, worth a review",
    "declared-empty": "A declared category of which the sample holds no value",
    "in-file": "Personal data found in a file",
}


def as_text(report: Report) -> str:
    lines: list[str] = []
    for finding in report.findings:
        where = f"line {finding.line}: " if finding.line else ""
        lines.append(f"{finding.level}: {finding.kind}: {where}{finding.message}")
    for problem in report.problems:
        lines.append(f"note: {problem}")
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    scanned = ", ".join(report.scanned) or "nothing"
    lines.append(
        f"scanned {scanned}: {len(report.columns)} column(s), {errors} error(s), "
        f"{warnings} warning(s), {len(report.problems)} note(s)"
    )
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


def _location(finding: Finding) -> dict[str, Any]:
    if finding.datastore == "file":
        physical: dict[str, Any] = {"artifactLocation": {"uri": finding.table}}
        if finding.line:
            physical["region"] = {"startLine": finding.line}
        location: dict[str, Any] = {"physicalLocation": physical}
        if finding.column:
            location["logicalLocations"] = [{"name": finding.column, "kind": "member"}]
        return location
    name = f"{finding.datastore}.{finding.table}.{finding.column}"
    return {"logicalLocations": [{"fullyQualifiedName": name, "kind": "member"}]}


def as_sarif(report: Report) -> str:
    rules = [
        {"id": rule, "shortDescription": {"text": text}, "defaultConfiguration": {"level": level}}
        for rule, text, level in (
            (
                r,
                t,
                "error"
                if r in ("unsolicited", "special", "undeclared", "wrong-category")
                else "warning",
            )
            for r, t in _RULES.items()
        )
    ]
    results = [
        {
            "ruleId": f.kind,
            "level": "error" if f.level == ERROR else "warning",
            "message": {"text": f.message},
            "locations": [_location(f)],
            "partialFingerprints": {"stewardFinding/v1": f.fingerprint},
            "properties": {"category": f.category, "evidence": f.evidence},
        }
        for f in report.findings
    ]
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "steward-scan",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "note", "message": {"text": p}} for p in report.problems
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False)
