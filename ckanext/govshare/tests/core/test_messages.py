"""Bilingual messages: one way to join, split and raise them (issue 15)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.core import messages


def test_a_message_is_english_then_chinese():
    assert messages.message("No such grant", "授权不存在") == "No such grant | 授权不存在"


def test_halves_split_at_the_last_separator_and_keep_plain_text_whole():
    assert messages.halves("a | b | 中文") == ("a | b", "中文")
    assert messages.halves("plain") == ("plain", "plain")
    assert messages.halves(None) == ("", "")


def test_error_builds_each_kind_of_refusal():
    with pytest.raises(tk.ObjectNotFound) as found:
        raise messages.error(tk.ObjectNotFound, "No such grant", "授权不存在")
    assert str(found.value) == "No such grant | 授权不存在"
    invalid = messages.error(tk.ValidationError, messages.message("Bad", "错误"), field="id")
    assert invalid.error_dict == {"id": ["Bad | 错误"]}
    refused = messages.error(tk.NotAuthorized, "Not yours", "无权操作")
    assert isinstance(refused, tk.NotAuthorized) and str(refused) == "Not yours | 无权操作"
