"""Redaction and Markdown quoting of what `tfdoctor report` pastes into a public issue."""

from __future__ import annotations

import pytest

from tfdoctor import redact
from tfdoctor.report.bugreport import _code_cell


def test_the_user_and_home_are_redacted_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows and macOS paths are case-insensitive: C:\\Users\\Alice is the home of user alice,
    and a path written in another case must not leave the name in a public report."""
    monkeypatch.setattr(redact, "_identity", lambda: ("/Users/Alice", "alice", "alices-mbp"))
    text = "/users/alice/env/lib and /mnt/Alice/data on ALICES-MBP, Malice untouched"
    assert redact.personal(text) == "~/env/lib and /mnt/<user>/data on <host>, Malice untouched"


@pytest.mark.parametrize(
    ("path", "cell"),
    [
        ("/home/u/lib", "`/home/u/lib`"),
        ("/srv/a|b", "`/srv/a\\|b`"),  # a | would end the table cell, in code too
        ("/srv/`x`/y", "``/srv/`x`/y``"),
        ("`odd", "`` `odd ``"),
    ],
)
def test_a_sys_path_entry_is_one_code_cell_whatever_it_holds(path: str, cell: str) -> None:
    assert _code_cell(path) == cell
