"""No secret in an audit event's detail (SECURITY.md, "Secrets")."""

from __future__ import annotations

import pytest

from ckanext.govshare.audit import store


@pytest.mark.unit
def test_secrets_never_reach_an_events_detail():
    """Keys that hold secrets are replaced at any depth, whatever their case (SECURITY.md)."""
    detail = store.normalise_detail(
        {
            "token": "gsd_abc",
            "nested": {"Password": "pw", "list": [{"api_key": "k", "apikey": "k2"}]},
            "password1": "a",
            "password2": "b",
            "name": "kept",
        }
    )
    assert detail == {
        "token": "[removed]",
        "nested": {
            "Password": "[removed]",
            "list": [{"api_key": "[removed]", "apikey": "[removed]"}],
        },
        "password1": "[removed]",
        "password2": "[removed]",
        "name": "kept",
    }
    assert "gsd_abc" not in str(detail) and "pw" not in str(detail.values())
