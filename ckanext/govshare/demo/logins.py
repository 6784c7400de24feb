"""The demo logins: a data officer (organization admin) and a staff member (member) for every
department, the sharing authority and the joint conference, sharing one password kept next to
the configuration file (``demo-password.txt``, git-ignored)."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable

import ckan.plugins.toolkit as tk
from ckan import model

from .context import site_context


def _demo_password() -> str:
    """One password for every demo login, generated on the first run and kept (git-ignored)."""
    config_file = tk.config.get("__file__") or os.path.join(os.getcwd(), "config", "x.ini")
    path = os.path.join(os.path.dirname(os.path.abspath(config_file)), "demo-password.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    password = secrets.token_urlsafe(12)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    os.chmod(path, 0o600)
    return password


#: The logins of each organization: its data officer (admin) and a staff member (member).
ROLES = (("officer", "admin"), ("staff", "member"))

#: What each login does in its department, after the person's name: 张伟（公安部数据管理员）.
JOBS = {"officer": "数据管理员", "staff": "工作人员"}

# Common surnames and given names: each demo person gets a real-looking full name, always the
# same for the same login (issue 19, item 1: people are shown by their full names).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    "郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢"
)
_GIVEN_NAMES = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 "
    "秀英 桂英 建华 晓东 海燕 志强 文博 思远 雪梅 国栋 立新 红梅 "
    "振华 婷婷 子涵 浩然 佳怡 俊杰"
)
_GIVEN = _GIVEN_NAMES.split()


def person_name(login: str) -> str:
    """The demo person's name for a login (stable: derived from the login name)."""
    digest = hashlib.sha256(login.encode("utf-8")).digest()
    surname = _SURNAMES[int.from_bytes(digest[:4], "big") % len(_SURNAMES)]
    return surname + _GIVEN[int.from_bytes(digest[4:8], "big") % len(_GIVEN)]


def full_name(login: str, department_title: str, suffix: str) -> str:
    """The full name shown wherever the person is: their name, then their job in their
    department (张伟（公安部数据管理员）)."""
    return f"{person_name(login)}（{department_title}{JOBS[suffix]}）"


def _department_title(org: str) -> str:
    group = model.Group.by_name(org)
    return (group.title if group is not None else "") or org


def _ensure_users(org: str, password: str, suffixes: tuple[str, ...]) -> int:
    """A data officer (organization admin) and a staff member (member) per department."""
    created = 0
    title = _department_title(org)
    for suffix, role in ROLES:
        if suffix not in suffixes:
            continue
        name = f"{org}-{suffix}"[:100]
        fullname = full_name(name, title, suffix)
        user = model.User.by_name(name)
        if user is None:
            tk.get_action("user_create")(
                site_context(),
                {
                    "name": name,
                    "email": f"{name}@demo.invalid",
                    "password": password,
                    "fullname": fullname,
                },
            )
            created += 1
        elif user.fullname == f"{org} {suffix}":
            # A demo loaded before people had names: "ministry-of-public-security officer".
            # (user_patch would lose the e-mail address: its user_show runs without the user.)
            shown = tk.get_action("user_show")(site_context(), {"id": user.id})
            shown.pop("display_name", None)
            tk.get_action("user_update")(site_context(), {**shown, "fullname": fullname})
        tk.get_action("organization_member_create")(
            site_context(), {"id": org, "username": name, "role": role}
        )
    return created


def load(organizations: Iterable[str], suffixes: tuple[str, ...] = ("officer", "staff")) -> int:
    """The officer and staff logins of each organization (``suffixes``: only these);
    returns how many were created."""
    password = _demo_password()
    return sum(_ensure_users(org, password, suffixes) for org in organizations)
