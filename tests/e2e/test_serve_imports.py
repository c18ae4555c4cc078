"""The start-up budget: the modules `teg-emulator serve` imports before its first answer are the listed ones.

Start-up time is mostly imports. This pins them (tests/support/serve_imports.py measures; the list is
tests/e2e/serve_imports.txt), so a new top-level import -- a heavy library, or an emulator module that
only some commands need -- shows up in review instead of silently slowing every start.
"""

from __future__ import annotations

from tests.support.serve_imports import LIST, committed, measure


def test_serve_imports_only_the_listed_modules_before_its_first_answer() -> None:
    now, listed = measure(), committed()
    unplanned, gone = sorted(now - listed), sorted(listed - now)
    assert not unplanned and not gone, (
        f"`teg-emulator serve` now imports, before its first answer, modules not in {LIST.name}:"
        f" {', '.join(unplanned) or 'none'}; and no longer imports: {', '.join(gone) or 'none'}.\n"
        "If the change is meant (say why in the commit), take it in with"
        " `python -m tests.support.serve_imports --write` and commit the list's diff;"
        " otherwise import the new module where it is used, not at start-up."
    )
