"""One transaction per action: commit when it returns, roll back when it fails (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model

from ckanext.govshare.core import transaction


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the action's session was asked to do."""
    calls: list[str] = []
    monkeypatch.setattr(model.Session, "commit", lambda: calls.append("commit"))
    monkeypatch.setattr(model.Session, "rollback", lambda: calls.append("rollback"))
    return calls


def test_an_action_that_returns_is_committed(session: list[str]):
    @transaction.atomic
    def action(context: Any, data_dict: Any) -> dict[str, Any]:
        """Doc kept."""
        return {"id": data_dict["id"]}

    assert action({}, {"id": "x"}) == {"id": "x"}
    assert session == ["commit"]
    assert action.__doc__ == "Doc kept."


def test_an_action_that_fails_is_rolled_back(session: list[str]):
    @transaction.atomic
    def action(context: Any, data_dict: Any) -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError):
        action({}, {})
    assert session == ["rollback"]


def test_a_failed_commit_is_rolled_back(session: list[str], monkeypatch: pytest.MonkeyPatch):
    def fail() -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(model.Session, "commit", fail)
    with pytest.raises(RuntimeError):
        transaction.atomic(lambda context, data_dict: None)({}, {})
    assert session == ["rollback"]


def test_the_caller_commits_when_it_defers(session: list[str]):
    transaction.atomic(lambda context, data_dict: None)({"defer_commit": True}, {})
    transaction.commit({"defer_commit": True})
    assert session == []
