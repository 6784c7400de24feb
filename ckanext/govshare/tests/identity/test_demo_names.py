"""The demo's people have Chinese full names with their job in their department (issue 19,
item 1), also on a site whose demo was loaded before they had names."""

from __future__ import annotations

import re
from typing import Any

from ckan import model

from ckanext.govshare.demo import logins
from ckanext.govshare.tests import factories as gs


def test_demo_logins_get_full_names_and_old_url_names_are_repaired(clean_db: Any):
    gs.Department(name="ministry-of-public-security", title="公安部")
    assert logins.load(["ministry-of-public-security"]) == 2
    officer = model.User.by_name("ministry-of-public-security-officer")
    staff = model.User.by_name("ministry-of-public-security-staff")
    assert officer is not None and staff is not None
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}（公安部数据管理员）", officer.fullname or "")
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}（公安部工作人员）", staff.fullname or "")
    # A demo loaded before: "ministry-of-public-security officer" becomes a person's name.
    officer.fullname = "ministry-of-public-security officer"
    staff.fullname = "王芳（改过的名字）"
    model.repo.commit()
    assert logins.load(["ministry-of-public-security"]) == 0
    model.Session.expire_all()
    assert (model.User.by_name("ministry-of-public-security-officer").fullname or "").endswith(
        "（公安部数据管理员）"
    )
    repaired = model.User.by_name("ministry-of-public-security-officer")
    assert repaired is not None
    assert repaired.email == "ministry-of-public-security-officer@demo.invalid"
    # A name someone chose stays.
    assert model.User.by_name("ministry-of-public-security-staff").fullname == "王芳（改过的名字）"
