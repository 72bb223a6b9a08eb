"""Prints, at the end of the session, which check of the contract suite caught which mutant (``test_mutants.py``)."""

from __future__ import annotations

import pytest
from mutants import REPORT, report_lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    rows = config.stash.get(REPORT, [])
    if not rows:
        return
    terminalreporter.write_sep("=", "contract suite vs mutants: which check(s) caught each, on which operation(s)")
    for line in report_lines(rows):
        terminalreporter.write_line(line)
    terminalreporter.write_line("(* the check the mutant was made to be caught by)")
