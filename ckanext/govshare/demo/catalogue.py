"""The demo catalogue: departments and entries, created through CKAN's action API so they pass
every rule a user meets.

Seeded (``ckanext.govshare.demo.seed``) and idempotent: running it again creates nothing that
exists already, so it is safe on every ``make run``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

from .. import profiles
from ..catalogue import credit_code
from ..core import clock, config
from . import tables
from .context import site_context

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
        ["公民身份号码", "姓名", "性别", "民族", "出生日期", "户籍地址"],
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
        ["区划代码", "地区名称", "季度", "生产总值（亿元）"],
    ),
    (
        "national-bureau-of-statistics",
        "population-sample-survey",
        "人口抽样调查汇总数据",
        "年度人口变动情况抽样调查的汇总结果。",
        ["人口", "统计"],
        [
            "区划代码",
            "地区名称",
            "年份",
            "常住人口数（万人）",
            "城镇化率（%）",
            "65岁及以上人口占比（%）",
        ],
    ),
    (
        "provincial-market-regulation",
        "legal-entity-registration",
        "法人单位登记信息",
        "企业法人、个体工商户的登记、变更、注销信息。",
        ["法人", "登记"],
        [
            "统一社会信用代码",
            "企业名称",
            "法定代表人",
            "注册资本（万元）",
            "成立日期",
            "登记状态",
            "住所所在区划代码",
        ],
    ),
    (
        "provincial-market-regulation",
        "food-production-licences",
        "食品生产许可证信息",
        "食品生产许可证的发证、变更、延续与注销信息。",
        ["食品安全", "电子证照"],
        ["许可证编号", "生产者名称", "统一社会信用代码", "食品类别", "发证日期", "有效期至"],
    ),
    (
        "provincial-health-commission",
        "medical-institutions",
        "医疗机构执业登记信息",
        "医疗机构的名称、类别、床位数与执业登记状态。",
        ["卫生", "公共服务"],
        ["机构代码", "机构名称", "机构类别", "床位数", "登记年份"],
    ),
    (
        "provincial-health-commission",
        "vaccination-statistics",
        "预防接种统计信息",
        "分地区免疫规划疫苗接种统计。",
        ["卫生", "健康保障"],
        ["区划代码", "年份", "疫苗名称", "接种剂次"],
    ),
    (
        "municipal-natural-resources",
        "land-use-survey",
        "国土变更调查数据",
        "年度国土变更调查的土地利用现状分类面积。",
        ["自然资源", "空间地理"],
        ["区划代码", "地类代码", "地类名称", "年份", "面积（公顷）"],
    ),
    (
        "municipal-natural-resources",
        "real-estate-registration",
        "不动产登记信息",
        "不动产权利登记的业务办理信息。",
        ["不动产", "登记"],
        ["业务编号", "登记类型", "不动产单元号", "登记日期", "宗地面积（平方米）"],
    ),
    (
        "municipal-human-resources",
        "social-insurance-enrolment",
        "社会保险参保信息",
        "养老、医疗、工伤、失业保险的参保登记与缴费状态。",
        ["社会保障"],
        ["公民身份号码", "姓名", "险种代码", "参保状态", "参保年月", "缴费基数（元）"],
    ),
    (
        "municipal-human-resources",
        "employment-services",
        "就业服务统计信息",
        "城镇新增就业、失业人员再就业等就业服务统计。",
        ["就业", "社会保障"],
        ["区划代码", "月份", "城镇新增就业人数", "失业人员再就业人数"],
    ),
]


# Level of each demo department (the rest are provincial).
LEVELS = {
    "national-bureau-of-statistics": "national",
    "ministry-of-public-security": "national",
    "municipal-natural-resources": "municipal",
    "municipal-human-resources": "municipal",
}
CENTRAL = {"national-bureau-of-statistics", "ministry-of-public-security"}

# Division codes (GB/T 2260) of the demo departments, by level: a province (Zhejiang) and its
# cities (Hangzhou; two of the city departments are Ningbo's), for data return (2025
# Regulations art. 24).
REGION_OF_LEVEL = {"national": "000000", "provincial": "330000", "municipal": "330100"}
REGIONS = {"municipal-transport": "330200", "municipal-ecology": "330200"}
# Entries with a region data item; those in RETURNED have return to lower levels on (the
# others with an upper-level provider are the art. 39(5) finding).
REGION_ITEMS = {
    "legal-entity-registration": "住所所在区划代码",
    "employment-services": "区划代码",
}
RETURNED = ("legal-entity-registration",)


def region_of(name: str) -> str:
    return REGIONS.get(name) or REGION_OF_LEVEL[LEVELS.get(name, "provincial")]


# Catalogue metadata per entry: (category, basic category or theme, share type, condition or
# legal basis, open to the public, update cycle, share methods).
CATALOGUE: dict[str, tuple[str, str, str, str, str, str, list[str]]] = {
    "population-basic-info": (
        "basic",
        "population",
        "conditional",
        "仅限履行法定职责的政务部门，按需申请信息项",
        "not_open",
        "daily",
        ["api", "exchange_node"],
    ),
    "household-migration": (
        "departmental",
        "",
        "conditional",
        "仅限公安、民政、人社部门",
        "not_open",
        "monthly",
        ["api"],
    ),
    "regional-gdp-quarterly": (
        "thematic",
        "price_supervision",
        "unconditional",
        "",
        "open",
        "quarterly",
        ["file_download", "bulk_download"],
    ),
    "population-sample-survey": (
        "basic",
        "population",
        "unconditional",
        "",
        "open",
        "annual",
        ["file_download"],
    ),
    "legal-entity-registration": (
        "basic",
        "legal_entity",
        "unconditional",
        "",
        "conditional_open",
        "daily",
        ["api", "bulk_download"],
    ),
    "food-production-licences": (
        "basic",
        "e_license",
        "unconditional",
        "",
        "open",
        "weekly",
        ["api", "file_download"],
    ),
    "medical-institutions": (
        "thematic",
        "health",
        "unconditional",
        "",
        "open",
        "monthly",
        ["file_download"],
    ),
    "vaccination-statistics": (
        "thematic",
        "health",
        "conditional",
        "仅限卫生健康、疾控部门",
        "not_open",
        "monthly",
        ["file_download"],
    ),
    "land-use-survey": (
        "basic",
        "natural_resources_geo",
        "unconditional",
        "",
        "open",
        "annual",
        ["bulk_download", "offline_media"],
    ),
    "real-estate-registration": (
        "departmental",
        "",
        "not_shared",
        "《不动产登记暂行条例》第二十八条：查询须依法申请",
        "not_open",
        "realtime",
        ["online_query"],
    ),
    "social-insurance-enrolment": (
        "thematic",
        "social_security",
        "conditional",
        "仅限社会保障相关部门核验参保状态",
        "not_open",
        "monthly",
        ["api", "online_query"],
    ),
    "employment-services": (
        "thematic",
        "public_service",
        "unconditional",
        "",
        "open",
        "monthly",
        ["file_download"],
    ),
}


def demo_provider_code(name: str) -> str:
    """A valid unified social credit code for a demo department, the same on every run."""
    digits = "".join(str(ord(c) % 10) for c in name)[:9].ljust(9, "0")
    return credit_code.with_check_character("11100000" + digits)


def _ensure_org(name: str, title: str, description: str) -> bool:
    if model.Group.by_name(name):
        return False
    tk.get_action("organization_create")(
        site_context(),
        {
            "name": name,
            "title": title,
            "description": description,
            "provider_code": demo_provider_code(name),
            "department_level": LEVELS.get(name, "provincial"),
            "region_code": region_of(name),
            "is_central": "true" if name in CENTRAL else "false",
        },
    )
    return True


def _ensure_region(name: str) -> None:
    """A department of an older demo gets its division code (issue 17)."""
    group = model.Group.by_name(name)
    if group is not None and not (group.extras or {}).get("region_code"):  # pyright: ignore[reportAttributeAccessIssue] - not declared on 2.12's Group
        tk.get_action("organization_patch")(
            site_context(), {"id": group.id, "region_code": region_of(name)}
        )


def _turn_on_return() -> None:
    """Return to lower levels on for the entries of ``RETURNED`` (art. 24), once."""
    for name in RETURNED:
        pkg = model.Package.by_name(name)
        if pkg is None or not (pkg.extras or {}).get("region_item"):
            continue
        shown = tk.get_action("govshare_return_show")(site_context(), {"package_id": pkg.id})
        if not shown["enabled"]:
            tk.get_action("govshare_return_update")(
                site_context(), {"package_id": pkg.id, "enabled": True}
            )


def _catalogue_fields(name: str, columns: list[str]) -> dict[str, Any]:
    category, sub, share, condition, open_to_public, cycle, methods = CATALOGUE[name]
    fields: dict[str, Any] = {
        "resource_category": category,
        "format_type": "spreadsheet",
        "share_type": share,
        "share_methods": methods,
        "open_to_public": open_to_public,
        "update_cycle": cycle,
        "release_date": "2026-01-15",
        "data_items": [
            {**item, "base_item": "true" if category == "basic" and i == 0 else "false"}
            for i, item in enumerate(tables.data_items(name, columns))
        ],
    }
    if category == "basic":
        fields["basic_category"] = sub
    elif category == "thematic":
        fields["theme"] = sub
    if share == "conditional":
        fields["share_conditions"] = condition
    elif share == "not_shared":
        fields["legal_basis"] = condition
    if open_to_public == "conditional_open":
        fields["open_conditions"] = "经申请并签署数据使用协议后开放"
    if name in REGION_ITEMS:
        fields["region_item"] = REGION_ITEMS[name]
    fields.update(_regulation_fields(name, share, condition, columns))
    return fields


# Data items that make an entry hold personal information (2025 Regulations art. 13).
PERSONAL_ITEMS = ("公民身份号码", "姓名", "法定代表人", "参保人员编号", "持证主体")
CONFIDENTIALITY = "经保密审查，不涉及国家秘密和工作秘密，可按共享类型提供"


def _basis_type(basis: str) -> str:
    """The kind of a not-shared entry's legal basis, read from the cited text (art. 14)."""
    if "条例" in basis:
        return "administrative_regulation"
    if "国务院" in basis and "决定" in basis:
        return "state_council_decision"
    return "law"


def _regulation_fields(name: str, share: str, condition: str, columns: list[str]) -> dict[str, Any]:
    """What the 2025 Regulations ask of a published entry (art. 13-15), under the profile's
    rules only (the 2016 demo stays as it was): its grade, whether it holds personal
    information, the assessments and the head's approval; a conditional entry's scope and
    use; the kind of a not-shared entry's legal basis."""
    fields: dict[str, Any] = {}
    if profiles.on("catalogue_grading"):
        personal = any(item in columns for item in PERSONAL_ITEMS)
        category = CATALOGUE[name][0]
        fields.update(
            {
                "data_grade": (
                    "important"
                    if share == "not_shared" or (personal and category == "basic")
                    else "general"
                ),
                "personal_information": "yes" if personal else "no",
                "confidentiality_assessment": CONFIDENTIALITY,
                "head_approved_by": "分管负责人（演示）",
                "head_approved_on": (clock.today() - dt.timedelta(days=30)).isoformat(),
            }
        )
        if personal:
            fields["pi_impact_assessment"] = (
                "已开展个人信息保护影响评估：仅按履职需要提供必要信息项，传输加密、使用留痕"
            )
        if share == "conditional":
            fields["use_scope"] = f"按申请的信息项提供；用途：{condition}"
    if profiles.on("legal_basis_type") and share == "not_shared":
        fields["legal_basis_type"] = _basis_type(condition)
    return fields


# --- the generated part of the demo: departments and entries enough for a real catalogue ---

# (slug, title, level, central)
MORE_DEPARTMENTS: list[tuple[str, str, str, bool]] = [
    ("ministry-of-civil-affairs", "民政部", "national", True),
    ("ministry-of-education", "教育部", "national", True),
    ("ministry-of-transport", "交通运输部", "national", True),
    ("ministry-of-ecology", "生态环境部", "national", True),
    ("national-health-commission", "国家卫生健康委员会", "national", True),
    ("state-taxation-administration", "国家税务总局", "national", True),
    ("ministry-of-emergency", "应急管理部", "national", True),
    ("national-healthcare-security", "国家医疗保障局", "national", True),
    ("provincial-civil-affairs", "省民政厅", "provincial", False),
    ("provincial-education", "省教育厅", "provincial", False),
    ("provincial-transport", "省交通运输厅", "provincial", False),
    ("provincial-ecology", "省生态环境厅", "provincial", False),
    ("provincial-housing", "省住房和城乡建设厅", "provincial", False),
    ("provincial-development-reform", "省发展和改革委员会", "provincial", False),
    ("provincial-emergency", "省应急管理厅", "provincial", False),
    ("provincial-drug-administration", "省药品监督管理局", "provincial", False),
    ("municipal-public-security", "市公安局", "municipal", False),
    ("municipal-civil-affairs", "市民政局", "municipal", False),
    ("municipal-education", "市教育局", "municipal", False),
    ("municipal-housing-fund", "市住房公积金管理中心", "municipal", False),
    ("municipal-market-regulation", "市市场监督管理局", "municipal", False),
    ("municipal-transport", "市交通运输局", "municipal", False),
    ("municipal-ecology", "市生态环境局", "municipal", False),
    ("municipal-data-bureau", "市数据局", "municipal", False),
]

SUBJECTS = [
    ("人口", "basic", "population", ["公民身份号码", "姓名", "性别", "出生日期", "户籍地址"]),
    ("法人", "basic", "legal_entity", ["统一社会信用代码", "单位名称", "法定代表人", "成立日期"]),
    ("空间地理", "basic", "natural_resources_geo", ["图斑编号", "地类代码", "面积", "坐标"]),
    ("社会信用", "basic", "social_credit", ["统一社会信用代码", "信用等级", "评价日期"]),
    ("电子证照", "basic", "e_license", ["证照编号", "持证主体", "发证日期", "有效期至"]),
    ("公共服务", "thematic", "public_service", ["事项编码", "事项名称", "办理时限"]),
    ("医疗卫生", "thematic", "health", ["机构代码", "科室", "床位数", "统计日期"]),
    ("社会保障", "thematic", "social_security", ["参保人员编号", "险种", "缴费基数"]),
    ("食品药品", "thematic", "food_drug_safety", ["许可证编号", "品种", "抽检结果"]),
    ("安全生产", "thematic", "work_safety", ["企业编号", "隐患等级", "整改期限"]),
    ("价格", "thematic", "price_supervision", ["商品编码", "价格", "采集日期"]),
    ("能源", "thematic", "energy_security", ["站点编号", "供应量", "统计月份"]),
    ("信用", "thematic", "credit", ["主体代码", "失信类型", "认定日期"]),
    ("城乡建设", "thematic", "urban_rural", ["项目编号", "建设单位", "竣工日期"]),
    ("社区", "thematic", "community_governance", ["社区代码", "网格编号", "常住户数"]),
    ("生态环境", "thematic", "eco_environment", ["监测点位", "污染物", "浓度", "监测时间"]),
    ("应急", "thematic", "emergency", ["事件编号", "事件类型", "发生时间"]),
    ("业务办理", "departmental", "", ["业务编号", "办理结果", "办结日期"]),
    ("行政许可", "departmental", "", ["许可编号", "许可事项", "决定日期"]),
    ("行政处罚", "departmental", "", ["处罚决定书文号", "违法行为", "处罚日期"]),
]
KINDS = [
    "基础信息",
    "登记信息",
    "统计数据",
    "变更记录",
    "年度汇总",
    "核验结果",
    "名录",
    "监测数据",
    "办理结果",
    "明细",
]
LEGAL_BASES = [
    "《中华人民共和国保守国家秘密法》第十三条：涉及国家秘密",
    "《中华人民共和国个人信息保护法》第二十八条：敏感个人信息",
    "《中华人民共和国统计法》第三十九条：统计调查对象的个人信息不得对外提供",
    "《中华人民共和国税收征收管理法》第八条：纳税人的税收违法行为以外的信息保密",
]
CONDITIONS = [
    "仅限履行法定职责需要的政务部门，按申请的信息项提供",
    "仅限社会保障、民政部门用于待遇核验",
    "仅限市场监管、税务部门用于监管执法",
    "仅限公安、司法机关依法查询",
]
CYCLES = [
    "realtime",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "semiannual",
    "annual",
    "irregular",
]
METHODS = [
    "api",
    "exchange_node",
    "online_query",
    "bulk_download",
    "file_download",
    "database",
    "offline_media",
]


def generated_entries(
    departments: list[str], count: int, rng: random.Random
) -> list[tuple[str, str, str, str, list[str], list[str], dict[str, Any]]]:
    """Entries spread over the departments: about 60% unconditional, 30% conditional, 10%
    not shared (never a basic resource), each with its metadata."""
    entries = []
    for n in range(count):
        org = departments[n % len(departments)]
        subject, category, sub, columns = SUBJECTS[rng.randrange(len(SUBJECTS))]
        kind = KINDS[rng.randrange(len(KINDS))]
        roll = rng.random()
        share = "unconditional" if roll < 0.6 else "conditional" if roll < 0.9 else "not_shared"
        if share == "not_shared" and category == "basic":
            share = "conditional"
        open_to_public = (
            "not_open"
            if share == "not_shared"
            else rng.choice(["open", "conditional_open", "not_open", "not_open"])
        )
        condition = (
            rng.choice(CONDITIONS)
            if share == "conditional"
            else rng.choice(LEGAL_BASES)
            if share == "not_shared"
            else ""
        )
        meta = (
            category,
            sub,
            share,
            condition,
            open_to_public,
            rng.choice(CYCLES),
            rng.sample(METHODS, k=rng.randint(1, 3)),
        )
        name = f"entry-{n + 1:04d}"
        title = f"{subject}{kind}（{n + 1:03d}）"
        notes = f"{subject}领域的{kind}，由提供部门按更新周期维护，供各部门依申请共享使用。"
        entries.append((org, name, title, notes, [subject], list(columns), {"meta": meta}))
    return entries


def department_names() -> list[str]:
    """The demo's departments (not the authority or the joint conference), in order."""
    return [d[0] for d in DEPARTMENTS] + [d[0] for d in MORE_DEPARTMENTS]


def load(entries: int | None = None) -> dict[str, int]:
    """Loads the demo catalogue; ``entries`` caps the number of entries (tests use fewer)."""
    rng = random.Random(config.demo_seed())
    total = entries if entries is not None else config.demo_entries()
    _ensure_org(config.authority_org(), *AUTHORITY)
    _ensure_org(config.joint_conference_org(), *JOINT_CONFERENCE)
    for name, title, description in DEPARTMENTS:
        _ensure_org(name, title, description)
    for name, title, level, central in MORE_DEPARTMENTS:
        LEVELS[name] = level
        if central:
            CENTRAL.add(name)
        _ensure_org(name, title, f"{title}（演示部门）")
    departments = department_names()
    for name in departments:
        _ensure_region(name)

    curated = [(*e, {}) for e in ENTRIES]
    plan = curated + generated_entries(departments, max(0, total - len(curated)), rng)
    created = 0
    for org, name, title, notes, tags, columns, extra in plan[:total]:
        if model.Package.by_name(name):
            continue
        if "meta" in extra:
            CATALOGUE[name] = extra["meta"]
        dataset = tk.get_action("package_create")(
            site_context(),
            {
                "name": name,
                "title": title,
                "notes": notes,
                "owner_org": org,
                "license_id": "other-closed",
                "tags": [{"name": t} for t in tags],
                **_catalogue_fields(name, columns),
            },
        )
        # The entry's table (seeded per entry), uploaded: xloader queues it for the DataStore
        # and the jobs worker loads it once `make run` serves (issue 16, item 1).
        filename, data, file_format, media_type = tables.resource_file(
            name, columns, config.demo_seed()
        )
        tk.get_action("resource_create")(
            site_context(),
            {
                "package_id": dataset["id"],
                "name": f"{title}（样例）",
                "format": file_format,
                "upload": FileStorage(io.BytesIO(data), filename=filename, content_type=media_type),
            },
        )
        created += 1
    _turn_on_return()
    return {
        "organizations": len(departments) + 2,
        "datasets": min(total, len(plan)),
        "created": created,
    }
