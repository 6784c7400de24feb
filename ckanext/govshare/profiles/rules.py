"""The two rule profiles, as data: every number and every rule switch, with the article it
comes from. Plain Python (no CKAN): ``profiles/__init__.py`` applies the config overrides.

- ``regulation-2025``: the Government Data Sharing Regulations (政务数据共享条例, State Council
  Decree 809, in force 2025-08-01), the law in force and the default for new platforms.
- ``measures-2016``: the Interim Measures (国发〔2016〕51号) they replaced, for platforms still
  configured under them. A rule of the 2025 text is off here unless the 2016 text has it too.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT",
    "MEASURES_2016",
    "NUMBERS",
    "PROFILES",
    "REGULATION_2025",
    "RULES",
    "Number",
    "Rule",
]

REGULATION_2025 = "regulation-2025"
MEASURES_2016 = "measures-2016"
DEFAULT = REGULATION_2025


@dataclass(frozen=True)
class Number:
    """A number a profile sets (working days unless ``unit`` says otherwise); ``option``
    overrides it, empty meaning the profile's value."""

    key: str
    option: str
    en: str
    zh: str
    unit: str = "working_days"


@dataclass(frozen=True)
class Rule:
    """A procedure a profile switches on, with the article of each text that has it."""

    key: str
    en: str
    zh: str


NUMBERS: tuple[Number, ...] = (
    Number(
        "unconditional",
        "ckanext.govshare.deadline.unconditional",
        "Answer to a request for unconditionally shared data",
        "无条件共享申请答复时限",
    ),
    Number(
        "conditional",
        "ckanext.govshare.deadline.conditional",
        "Answer to a request for conditionally shared data",
        "有条件共享申请答复时限",
    ),
    Number(
        "extension_max",
        "ckanext.govshare.deadline.extension_max",
        "Longest extension of an answer, with the authority's consent",
        "答复延长期限上限",
    ),
    Number(
        "delivery",
        "ckanext.govshare.deadline.delivery",
        "Delivery of the data after approval",
        "同意共享后提供数据时限",
    ),
    Number(
        "feedback",
        "ckanext.govshare.deadline.feedback",
        "Check of doubtful or wrong data",
        "数据校核时限",
    ),
    Number(
        "catalogue_update",
        "ckanext.govshare.deadline.catalogue_update",
        "Catalogue update after a change of law or functions",
        "目录动态更新时限",
    ),
    Number(
        "catalogue_update_extension",
        "ckanext.govshare.deadline.catalogue_update_extension",
        "Extension of a catalogue update, with the authority's consent",
        "目录更新延长期限",
    ),
    Number(
        "catalogue_review",
        "ckanext.govshare.deadline.catalogue_review",
        "The sharing authority's review of a catalogue entry",
        "目录审核发布时限",
    ),
    Number(
        "disposal",
        "ckanext.govshare.deadline.disposal",
        "Disposal of shared data after its grant ends",
        "共享数据处置时限",
    ),
    Number(
        "usage_retention_years",
        "ckanext.govshare.usage_records.retention_years",
        "Years usage records are kept",
        "使用记录保存年限",
        unit="years",
    ),
)

RULES: tuple[Rule, ...] = (
    Rule(
        "answer_unconditional",
        "Requests for unconditional data are answered within a deadline",
        "无条件共享申请限时答复",
    ),
    Rule(
        "extensions",
        "The provider may extend an answer with the authority's consent",
        "经共享主管部门同意可延长答复期限",
    ),
    Rule(
        "tell_all_at_once",
        "A return lists every missing material at once; never a refusal "
        "for missing materials alone",
        "材料不齐全的一次性告知，不得仅以此为由拒绝",
    ),
    Rule(
        "internal_signoff",
        "Requests and answers are signed off by the department's sharing-work head",
        "申请与答复经本部门共享工作机构负责人审核",
    ),
    Rule(
        "delivery_deadline",
        "Approved data is delivered within a deadline",
        "同意共享后限时提供数据",
    ),
    Rule(
        "catalogue_review",
        "Catalogue entries are reviewed and announced by the sharing authority",
        "目录经共享主管部门审核后发布",
    ),
    Rule(
        "catalogue_grading",
        "Entries carry classification, grading and the assessments approved by the department head",
        "目录载明分类分级，编制须经风险评估和负责人审批",
    ),
    Rule(
        "legal_basis_type",
        "A not-shared entry's basis is a law, an administrative "
        "regulation or a State Council decision",
        "不予共享须有法律、行政法规或国务院决定依据",
    ),
    Rule(
        "suspension",
        "Grants can be suspended, then resumed or terminated",
        "可暂停、恢复或终止共享",
    ),
    Rule(
        "use_change",
        "Use beyond the grant needs the provider's consent",
        "超范围、改变用途或向第三方提供须经提供部门同意",
    ),
    Rule("disposal", "The holder records disposal when a grant ends", "共享数据使用完毕后处置"),
    Rule(
        "usage_records", "The holder keeps usage records per grant", "需求部门记录共享数据使用情况"
    ),
    Rule(
        "service_filing",
        "A provider ends or changes a service only after consulting the "
        "holder and filing with the authority",
        "终止或变更共享服务须协商并报备",
    ),
    Rule(
        "joint_conference",
        "Disputes involving a central department go to the joint conference",
        "涉及中央部门的争议提请部际联席会议",
    ),
    Rule(
        "upper_authority",
        "Cross-level or cross-region disputes go to the common upper "
        "authority, then to the people's government",
        "跨层级、跨区域争议提请共同上级主管部门，再报本级人民政府决定",
    ),
)

# Which article of each text a number or a rule comes from (None: that text does not have it).
# A number and a rule of one name (catalogue_review, disposal) come from one article.
ARTICLES: dict[str, dict[str, str | None]] = {
    "unconditional": {REGULATION_2025: "art. 21", MEASURES_2016: None},
    "conditional": {REGULATION_2025: "art. 21", MEASURES_2016: "art. 12"},
    "extension_max": {REGULATION_2025: "art. 21", MEASURES_2016: None},
    "delivery": {REGULATION_2025: "art. 22", MEASURES_2016: None},
    "feedback": {REGULATION_2025: "art. 26", MEASURES_2016: "art. 15"},
    "catalogue_update": {REGULATION_2025: "art. 17", MEASURES_2016: "art. 8"},
    "catalogue_update_extension": {REGULATION_2025: "art. 17", MEASURES_2016: None},
    "catalogue_review": {REGULATION_2025: "art. 16, 17", MEASURES_2016: None},
    "disposal": {REGULATION_2025: "art. 27", MEASURES_2016: None},
    "usage_retention_years": {REGULATION_2025: "art. 29", MEASURES_2016: None},
    "answer_unconditional": {REGULATION_2025: "art. 21", MEASURES_2016: None},
    "extensions": {REGULATION_2025: "art. 21", MEASURES_2016: None},
    "tell_all_at_once": {REGULATION_2025: "art. 21", MEASURES_2016: None},
    "internal_signoff": {REGULATION_2025: "art. 20", MEASURES_2016: None},
    "delivery_deadline": {REGULATION_2025: "art. 22", MEASURES_2016: None},
    "catalogue_grading": {REGULATION_2025: "art. 13", MEASURES_2016: None},
    "legal_basis_type": {REGULATION_2025: "art. 14", MEASURES_2016: None},
    "suspension": {REGULATION_2025: "art. 27", MEASURES_2016: None},
    "use_change": {REGULATION_2025: "art. 25", MEASURES_2016: None},
    "usage_records": {REGULATION_2025: "art. 29", MEASURES_2016: None},
    "service_filing": {REGULATION_2025: "art. 27", MEASURES_2016: None},
    "joint_conference": {REGULATION_2025: None, MEASURES_2016: "art. 12"},
    "upper_authority": {REGULATION_2025: "art. 28", MEASURES_2016: None},
}


@dataclass(frozen=True)
class Profile:
    name: str
    en: str
    zh: str
    numbers: dict[str, int | None]
    rules: frozenset[str]


PROFILES: dict[str, Profile] = {
    REGULATION_2025: Profile(
        REGULATION_2025,
        "Government Data Sharing Regulations (Decree 809, 2025)",
        "政务数据共享条例（国务院令第809号）",
        numbers={
            "unconditional": 1,
            "conditional": 10,
            "extension_max": 10,
            "delivery": 20,
            "feedback": 10,
            "catalogue_update": 10,
            "catalogue_update_extension": 5,
            "catalogue_review": 2,
            # Art. 27 asks for disposal "as the provider requires" without a number: the
            # platform's own default, configurable.
            "disposal": 10,
            "usage_retention_years": 3,
        },
        rules=frozenset(
            {
                "answer_unconditional",
                "extensions",
                "tell_all_at_once",
                "internal_signoff",
                "delivery_deadline",
                "catalogue_review",
                "catalogue_grading",
                "legal_basis_type",
                "suspension",
                "use_change",
                "disposal",
                "usage_records",
                "service_filing",
                "upper_authority",
            }
        ),
    ),
    MEASURES_2016: Profile(
        MEASURES_2016,
        "Interim Measures for Government Information Resource Sharing (2016)",
        "政务信息资源共享管理暂行办法（国发〔2016〕51号）",
        numbers={
            "unconditional": None,
            "conditional": 10,
            "extension_max": None,
            "delivery": None,
            # The 2016 text names no number for the check (art. 15): the platform's own.
            "feedback": 5,
            "catalogue_update": 15,
            "catalogue_update_extension": None,
            "catalogue_review": None,
            "disposal": None,
            "usage_retention_years": None,
        },
        rules=frozenset({"joint_conference"}),
    ),
}

NUMBER_KEYS = tuple(n.key for n in NUMBERS)
RULE_KEYS = tuple(r.key for r in RULES)


def article(key: str, profile: str) -> str | None:
    """The article of ``profile``'s text a number or rule comes from."""
    return ARTICLES.get(key, {}).get(profile)


def resolve_number(profile: str, key: str, override: int | None) -> int | None:
    """A number under ``profile``: the override when set (at least 0), else the profile's."""
    if key not in NUMBER_KEYS:
        raise ValueError(f"unknown profile number {key!r}: one of {NUMBER_KEYS}")
    if override is not None:
        if override < 0:
            raise ValueError(f"{key} must be at least 0")
        return override
    return PROFILES[profile].numbers[key]


def resolve_rule(profile: str, key: str, override: bool | None) -> bool:
    """Whether a rule is on under ``profile``: the override when set, else the profile's."""
    if key not in RULE_KEYS:
        raise ValueError(f"unknown profile rule {key!r}: one of {RULE_KEYS}")
    if override is not None:
        return override
    return key in PROFILES[profile].rules
