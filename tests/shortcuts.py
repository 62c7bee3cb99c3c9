"""Test helper: how often a shortcut of the parser was taken."""

from __future__ import annotations

from typing import Any

import pytest


def record_taken(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[bool]:
    """Wrap ``owner.name`` so that each call appends whether the shortcut applied (a result
    other than None or False) to the list returned."""
    taken: list[bool] = []
    original = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        taken.append(found is not None and found is not False)
        return found

    monkeypatch.setattr(owner, name, counting)
    return taken
