"""The platform's identity as plain rules (issue 19, item 1): initials, colours, the defaults it
puts where the site keeps CKAN's, and the demo people's full names."""

from __future__ import annotations

import re

import pytest

from ckanext.govshare.core import identity
from ckanext.govshare.demo import logins

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张伟", "张伟"),
        ("王小明", "小明"),
        ("欧阳明华", "明华"),
        ("张伟（公安部数据管理员）", "张伟"),
        ("李娜 (staff)", "李娜"),
        ("Ada Lovelace", "AL"),
        ("ada", "A"),
        ("ministry-of-public-security-officer", "MO"),
        ("", "?"),
        (None, "?"),
        ("（）", "?"),
    ],
)
def test_initials_take_a_chinese_names_last_characters_and_latin_first_letters(name, expected):
    assert identity.initials(name) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("公安部", "公安"),
        ("国家统计局", "统计"),
        ("省市场监督管理局", "市场"),
        ("市自然资源局", "自然"),
        ("中华人民共和国海关总署", "海关"),
        ("Ministry of Public Security", "MPS"),
        ("", "?"),
    ],
)
def test_a_departments_initials_say_what_it_does_not_where_it_sits(title, expected):
    assert identity.department_initials(title) == expected


def test_a_person_keeps_one_colour_and_every_colour_is_dark_enough_for_white_text():
    assert identity.colour("ministry-of-public-security-officer") == identity.colour(
        "ministry-of-public-security-officer"
    )
    assert len({identity.colour(f"user-{n}") for n in range(200)}) == len(identity.AVATAR_COLOURS)

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    low = [c for c in identity.AVATAR_COLOURS if 1.05 / (luminance(c) + 0.05) < 4.5]
    assert low == [], "white initials below WCAG AA contrast"


def test_the_platforms_defaults_replace_ckans_own_and_nothing_the_site_set():
    config = {
        "ckan.site_title": "CKAN",
        "ckan.site_logo": "/base/images/ckan-logo.png",
        "ckan.favicon": "/base/images/ckan.ico",
        "ckan.gravatar_default": "identicon",
    }
    identity.apply_defaults(config)
    assert config == {
        "ckan.site_title": "政务数据共享平台",
        "ckan.site_logo": "",
        "ckan.favicon": "/govshare/favicon.svg",
        "ckan.site_description": "Government data sharing platform",
        "ckan.gravatar_default": "disabled",
    }
    own = {
        "ckan.site_title": "浙江省公共数据平台",
        "ckan.site_logo": "/zj/logo.png",
        "ckan.favicon": "/zj/favicon.ico",
        "ckan.site_description": "一网通享",
    }
    identity.apply_defaults(own)
    assert own == {
        "ckan.site_title": "浙江省公共数据平台",
        "ckan.site_logo": "/zj/logo.png",
        "ckan.favicon": "/zj/favicon.ico",
        "ckan.site_description": "一网通享",
        "ckan.gravatar_default": "disabled",
    }


def test_demo_people_have_a_chinese_full_name_with_their_job_in_their_department():
    officer = logins.full_name("ministry-of-public-security-officer", "公安部", "officer")
    staff = logins.full_name("ministry-of-public-security-staff", "公安部", "staff")
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}（公安部数据管理员）", officer)
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}（公安部工作人员）", staff)
    # The same login, the same person, every time the demo loads.
    assert logins.full_name("ministry-of-public-security-officer", "公安部", "officer") == officer
    names = {logins.person_name(f"department-{n}-officer") for n in range(40)}
    assert len(names) > 30, "demo people share too few names"
