"""The demo catalogue, created through CKAN's action API so it passes every rule a user meets.

Seeded (``ckanext.govshare.demo.seed``) and idempotent: running it again creates nothing that
exists already, so it is safe on every ``make run``.
"""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

# (name, title, description)
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("national-bureau-of-statistics", "国家统计局", "统计调查、统计数据的收集与发布。"),
    ("ministry-of-public-security", "公安部", "户籍管理、人口信息与社会治安。"),
    ("provincial-market-regulation", "省市场监督管理局", "市场主体登记注册与市场监管。"),
    ("provincial-health-commission", "省卫生健康委员会", "医疗卫生服务与公共卫生管理。"),
    (
        "municipal-natural-resources",
        "市自然资源和规划局",
        "自然资源调查、国土空间规划与测绘地理信息。",
    ),
    ("municipal-human-resources", "市人力资源和社会保障局", "就业服务、社会保险与劳动关系。"),
]

AUTHORITY = ("政务数据共享主管部门", "统筹协调政务信息资源共享，监督评估共享工作。")
JOINT_CONFERENCE = ("政务信息资源共享部际联席会议", "组织、指导、协调和监督政务信息资源共享工作。")

# (department, name, title, notes, tags, columns)
ENTRIES: list[tuple[str, str, str, str, list[str], list[str]]] = [
    (
        "ministry-of-public-security",
        "population-basic-info",
        "人口基础信息",
        "全员人口的姓名、公民身份号码、性别、民族、出生日期、户籍地址等基础信息。",
        ["人口", "户籍"],
        ["区划代码", "年份", "户籍人口数"],
    ),
    (
        "ministry-of-public-security",
        "household-migration",
        "户口迁移登记信息",
        "户口迁入、迁出登记的办理信息。",
        ["人口", "迁移"],
        ["区划代码", "月份", "迁入人数", "迁出人数"],
    ),
    (
        "national-bureau-of-statistics",
        "regional-gdp-quarterly",
        "地区生产总值季度统计",
        "分地区、分产业的地区生产总值季度核算数据。",
        ["统计", "经济"],
        ["区划代码", "季度", "生产总值（亿元）"],
    ),
    (
        "national-bureau-of-statistics",
        "population-sample-survey",
        "人口抽样调查汇总数据",
        "年度人口变动情况抽样调查的汇总结果。",
        ["人口", "统计"],
        ["区划代码", "年份", "常住人口数"],
    ),
    (
        "provincial-market-regulation",
        "legal-entity-registration",
        "法人单位登记信息",
        "企业法人、个体工商户的登记、变更、注销信息。",
        ["法人", "登记"],
        ["统一社会信用代码", "登记状态", "成立年份"],
    ),
    (
        "provincial-market-regulation",
        "food-production-licences",
        "食品生产许可证信息",
        "食品生产许可证的发证、变更、延续与注销信息。",
        ["食品安全", "电子证照"],
        ["许可证编号", "发证年份", "有效期（年）"],
    ),
    (
        "provincial-health-commission",
        "medical-institutions",
        "医疗机构执业登记信息",
        "医疗机构的名称、类别、床位数与执业登记状态。",
        ["卫生", "公共服务"],
        ["机构代码", "床位数", "登记年份"],
    ),
    (
        "provincial-health-commission",
        "vaccination-statistics",
        "预防接种统计信息",
        "分地区免疫规划疫苗接种统计。",
        ["卫生", "健康保障"],
        ["区划代码", "年份", "接种剂次"],
    ),
    (
        "municipal-natural-resources",
        "land-use-survey",
        "国土变更调查数据",
        "年度国土变更调查的土地利用现状分类面积。",
        ["自然资源", "空间地理"],
        ["地类代码", "年份", "面积（公顷）"],
    ),
    (
        "municipal-natural-resources",
        "real-estate-registration",
        "不动产登记信息",
        "不动产权利登记的业务办理信息。",
        ["不动产", "登记"],
        ["业务编号", "登记年份", "宗地面积（平方米）"],
    ),
    (
        "municipal-human-resources",
        "social-insurance-enrolment",
        "社会保险参保信息",
        "养老、医疗、工伤、失业保险的参保登记与缴费状态。",
        ["社会保障"],
        ["险种代码", "年份", "参保人数"],
    ),
    (
        "municipal-human-resources",
        "employment-services",
        "就业服务统计信息",
        "城镇新增就业、失业人员再就业等就业服务统计。",
        ["就业", "社会保障"],
        ["区划代码", "月份", "新增就业人数"],
    ),
]


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _csv(columns: list[str], rng: random.Random) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in range(12):
        writer.writerow(
            [
                f"{110000 + row * 100}" if i == 0 else str(rng.randint(1, 99999))
                for i in range(len(columns))
            ]
        )
    return buf.getvalue().encode("utf-8")


def _ensure_org(name: str, title: str, description: str) -> bool:
    if model.Group.by_name(name):
        return False
    tk.get_action("organization_create")(
        _context(), {"name": name, "title": title, "description": description}
    )
    return True


def load() -> dict[str, int]:
    rng = random.Random(tk.config.get("ckanext.govshare.demo.seed"))
    _ensure_org(tk.config.get("ckanext.govshare.authority_org"), *AUTHORITY)
    _ensure_org(tk.config.get("ckanext.govshare.joint_conference_org"), *JOINT_CONFERENCE)
    for name, title, description in DEPARTMENTS:
        _ensure_org(name, title, description)

    created = 0
    for org, name, title, notes, tags, columns in ENTRIES:
        data = _csv(columns, rng)  # drawn for every entry so the data stay the same on reruns
        if model.Package.by_name(name):
            continue
        dataset = tk.get_action("package_create")(
            _context(),
            {
                "name": name,
                "title": title,
                "notes": notes,
                "owner_org": org,
                "license_id": "other-closed",
                "tags": [{"name": t} for t in tags],
            },
        )
        tk.get_action("resource_create")(
            _context(),
            {
                "package_id": dataset["id"],
                "name": f"{title}（样例）",
                "format": "CSV",
                "upload": FileStorage(
                    io.BytesIO(data), filename=f"{name}.csv", content_type="text/csv"
                ),
            },
        )
        created += 1
    return {
        "organizations": len(DEPARTMENTS) + 2,
        "datasets": len(ENTRIES),
        "created": created,
    }
