"""Discovery: find the personal data the register does not declare.

    report = scan_register(register)                 # every datastore, sampled
    scan_file(register, Path("export.csv"), scanner_for(register), report)
    report.findings                                  # held against the register

``scanner.py`` finds candidates in one Hyperscan pass and validates them; ``columns.py``
classifies a column from a sample; ``findings.py`` compares with the register; ``files.py``
reads CSV, JSON Lines and text; ``store.py`` keeps findings and decisions in Steward's store.
See docs/discovery.md.
"""

from steward.discovery.findings import Finding
from steward.discovery.scan import Report, scan_register, scanner_for
from steward.discovery.scanner import Hit, Scanner

__all__ = ["Finding", "Hit", "Report", "Scanner", "scan_register", "scanner_for"]
