"""Code lists of the national catalogue compilation guide (../shared/domain/catalogue.md).

One place for every value a catalogue field may take, with its labels in both languages.
"""

from __future__ import annotations

from typing import NamedTuple


class Choice(NamedTuple):
    value: str
    en: str
    zh: str


SHARE_TYPES = (
    Choice("unconditional", "Unconditional sharing", "无条件共享"),
    Choice("conditional", "Conditional sharing", "有条件共享"),
    Choice("not_shared", "Not shared", "不予共享"),
)
# Strictness order (art. 9): an item may narrow its entry's share type, never widen it.
SHARE_STRICTNESS = {c.value: i for i, c in enumerate(SHARE_TYPES)}

RESOURCE_CATEGORIES = (
    Choice("basic", "Basic information resource", "基础信息资源"),
    Choice("thematic", "Thematic information resource", "主题信息资源"),
    Choice("departmental", "Departmental information resource", "部门信息资源"),
)

BASIC_CATEGORIES = (
    Choice("population", "Population", "人口"),
    Choice("legal_entity", "Legal entities", "法人单位"),
    Choice(
        "natural_resources_geo", "Natural resources and spatial geography", "自然资源和空间地理"
    ),
    Choice("social_credit", "Social credit", "社会信用"),
    Choice("e_license", "Electronic licences and certificates", "电子证照"),
)

THEMES = (
    Choice("public_service", "Public services", "公共服务"),
    Choice("health", "Health care", "健康保障"),
    Choice("social_security", "Social security", "社会保障"),
    Choice("food_drug_safety", "Food and drug safety", "食品药品安全"),
    Choice("work_safety", "Work safety", "安全生产"),
    Choice("price_supervision", "Price supervision", "价格监管"),
    Choice("energy_security", "Energy security", "能源安全"),
    Choice("credit", "Credit system", "信用体系"),
    Choice("urban_rural", "Urban and rural construction", "城乡建设"),
    Choice("community_governance", "Community governance", "社区治理"),
    Choice("eco_environment", "Ecology and environment", "生态环保"),
    Choice("emergency", "Emergency response and stability", "应急维稳"),
)

FORMAT_TYPES = (
    Choice("electronic_file", "Electronic file", "电子文件"),
    Choice("spreadsheet", "Spreadsheet", "电子表格"),
    Choice("database", "Database", "数据库"),
    Choice("image", "Graphics and images", "图形图像"),
    Choice("streaming_media", "Streaming media", "流媒体"),
    Choice("self_describing", "Self-describing format", "自描述格式"),
    Choice("service_interface", "Service interface", "服务接口"),
)

DATA_TYPES = (
    Choice("string", "String", "字符"),
    Choice("integer", "Integer", "整数"),
    Choice("decimal", "Decimal", "小数"),
    Choice("date", "Date", "日期"),
    Choice("datetime", "Date and time", "日期时间"),
    Choice("boolean", "Boolean", "布尔"),
    Choice("binary", "Binary", "二进制"),
    Choice("other", "Other", "其他"),
)

SHARE_METHODS = (
    Choice("api", "API / system interconnection", "接口/系统对接"),
    Choice("exchange_node", "Exchange node (front-end server)", "前置机"),
    Choice("online_query", "Online query", "联机查询"),
    Choice("bulk_download", "Bulk download", "批量下载"),
    Choice("file_download", "File download", "文件下载"),
    Choice("database", "Database", "数据库"),
    Choice("offline_media", "Email or media", "邮件或介质"),
)

OPEN_TO_PUBLIC = (
    Choice("open", "Open to the public", "无条件开放"),
    Choice("conditional_open", "Conditionally open", "有条件开放"),
    Choice("not_open", "Not open", "不予开放"),
)

UPDATE_CYCLES = (
    Choice("realtime", "Real time", "实时"),
    Choice("daily", "Daily", "每日"),
    Choice("weekly", "Weekly", "每周"),
    Choice("monthly", "Monthly", "每月"),
    Choice("quarterly", "Quarterly", "每季度"),
    Choice("semiannual", "Every six months", "每半年"),
    Choice("annual", "Yearly", "每年"),
    Choice("irregular", "Irregular", "不定期"),
)

# Data classification and grading (数据分类分级, 2025 Regulations art. 13, 34).
DATA_GRADES = (
    Choice("general", "General data", "一般数据"),
    Choice("important", "Important data", "重要数据"),
    Choice("core", "Core data", "核心数据"),
)

PERSONAL_INFORMATION = (
    Choice("no", "No personal information", "不含个人信息"),
    Choice("yes", "Contains personal information", "含个人信息"),
)

# The kind of the legal basis of a not-shared entry: 2025 art. 14 names three; the 2016
# Measures art. 10(1) also allowed a Party Central Committee / State Council policy.
LEGAL_BASIS_TYPES = (
    Choice("law", "Law", "法律"),
    Choice("administrative_regulation", "Administrative regulation", "行政法规"),
    Choice("state_council_decision", "State Council decision", "国务院决定"),
    Choice("policy", "Party Central Committee / State Council policy", "党中央、国务院政策"),
)
#: The kinds only the 2016 Measures accept (2025 art. 14 no longer does).
LEGAL_BASIS_TYPES_2016_ONLY = frozenset({"policy"})

# The sharing authority's review of a catalogue entry (2025 art. 16, 17).
REVIEW_STATUSES = (
    Choice("pending", "Waiting for review", "待审核"),
    Choice("approved", "Approved and announced", "已审核发布"),
    Choice("returned", "Returned", "已退回"),
    Choice("superseded", "Superseded by a later change", "已被后续变更取代"),
    Choice("none", "Not reviewed (before the review rule)", "无需审核"),
)

DEPARTMENT_LEVELS = (
    Choice("national", "National", "国家级"),
    Choice("provincial", "Provincial", "省级"),
    Choice("municipal", "Municipal", "市级"),
    Choice("county", "County", "县级"),
)


# The code list of every coded field, by field name: the one place schemas, facets, the
# spreadsheet and templates look up values and labels.
FIELD_CHOICES: dict[str, tuple[Choice, ...]] = {
    "share_type": SHARE_TYPES,
    "resource_category": RESOURCE_CATEGORIES,
    "basic_category": BASIC_CATEGORIES,
    "theme": THEMES,
    "format_type": FORMAT_TYPES,
    "data_type": DATA_TYPES,
    "share_methods": SHARE_METHODS,
    "open_to_public": OPEN_TO_PUBLIC,
    "update_cycle": UPDATE_CYCLES,
    "department_level": DEPARTMENT_LEVELS,
    "data_grade": DATA_GRADES,
    "personal_information": PERSONAL_INFORMATION,
    "legal_basis_type": LEGAL_BASIS_TYPES,
    "review_status": REVIEW_STATUSES,
}


def values(choices: tuple[Choice, ...]) -> list[str]:
    return [c.value for c in choices]
