"""The demo's tabular data: what each entry's resource holds (issue 16, item 1).

Realistic, synthetic and seeded: every entry gets rows drawn from its own generator
(``random.Random(f"{seed}:{entry}")``), so a rerun makes the same files whatever else the demo
drew. People have citizen identity numbers with a valid check character (GB 11643-1999) and
a birth date and sex that agree with them; enterprises and institutions have unified social
credit codes valid per GB 32100-2015 (``catalogue/credit_code.py``) whose organisation code
carries its own GB 11714 check character; regions are real county-level and provincial
division codes (GB/T 2260); food production licences follow the "SC" numbering; land use
classes are GB/T 21010-2017's. No row is a real person or company.

Each column is named as the entry's data item, except where ``COLUMN_OF`` maps an item to the
column a source system exported (the food licences: pinyin field codes, as many departmental
systems name them), and ``EXTRA_COLUMNS`` adds a column that matches no data item (the legal
entity registry's registration authority) so the provider sees the mismatch report after the
load. ``XLSX`` entries are uploaded as spreadsheets, the rest as CSV; xloader loads both
through the jobs worker. Plain Python (openpyxl for the spreadsheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

from ..catalogue import credit_code
from ..cells import csv_row, xlsx_append

# --- places ------------------------------------------------------------------------------

# County-level divisions (GB/T 2260): code, full name, city for company names.
COUNTIES: list[tuple[str, str, str]] = [
    ("110101", "北京市东城区", "北京"),
    ("110102", "北京市西城区", "北京"),
    ("110105", "北京市朝阳区", "北京"),
    ("110106", "北京市丰台区", "北京"),
    ("110108", "北京市海淀区", "北京"),
    ("310101", "上海市黄浦区", "上海"),
    ("310104", "上海市徐汇区", "上海"),
    ("310105", "上海市长宁区", "上海"),
    ("310115", "上海市浦东新区", "上海"),
    ("320102", "江苏省南京市玄武区", "南京"),
    ("320106", "江苏省南京市鼓楼区", "南京"),
    ("330102", "浙江省杭州市上城区", "杭州"),
    ("330106", "浙江省杭州市西湖区", "杭州"),
    ("420102", "湖北省武汉市江岸区", "武汉"),
    ("420106", "湖北省武汉市武昌区", "武汉"),
    ("440103", "广东省广州市荔湾区", "广州"),
    ("440104", "广东省广州市越秀区", "广州"),
    ("440106", "广东省广州市天河区", "广州"),
    ("440304", "广东省深圳市福田区", "深圳"),
    ("440305", "广东省深圳市南山区", "深圳"),
    ("510104", "四川省成都市锦江区", "成都"),
    ("510107", "四川省成都市武侯区", "成都"),
]
# Provinces (rounded 2024 figures; the quarters and years around them are drawn): code, name,
# GDP (100 million yuan), resident population (10 000), urbanisation (%), aged 65+ (%).
PROVINCES: list[tuple[str, str, int, int, float, float]] = [
    ("110000", "北京市", 49843, 2183, 87.8, 15.2),
    ("120000", "天津市", 18024, 1364, 85.5, 16.4),
    ("310000", "上海市", 53927, 2480, 89.5, 19.1),
    ("320000", "江苏省", 137008, 8526, 75.6, 18.1),
    ("330000", "浙江省", 90131, 6670, 74.8, 15.1),
    ("370000", "山东省", 98566, 10080, 67.2, 17.4),
    ("410000", "河南省", 63590, 9815, 58.4, 14.3),
    ("420000", "湖北省", 60013, 5838, 65.5, 16.1),
    ("440000", "广东省", 141634, 12780, 75.4, 9.5),
    ("510000", "四川省", 64697, 8364, 59.5, 18.6),
]
STREETS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "新华路",
    "和平路",
    "胜利路",
    "文化路",
    "光明街",
    "长安街",
    "友谊路",
    "朝阳路",
    "青年路",
    "花园路",
    "学院路",
    "滨江路",
]

# --- people --------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华慧建国红文玉梅志宇浩然欣怡子轩梓涵一诺佳琪雨桐俊杰思远晨曦嘉怡鹏飞海燕秀云桂芝德胜"  # noqa: E501
ETHNIC = [
    ("汉族", 91),
    ("回族", 2),
    ("满族", 2),
    ("壮族", 2),
    ("维吾尔族", 1),
    ("苗族", 1),
    ("土家族", 1),
]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """The check character of a citizen identity number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


class Person:
    """A resident: identity number, name, sex, ethnic group, birth date, address."""

    def __init__(self, rng: random.Random) -> None:
        self.county, self.county_name, self.city = rng.choice(COUNTIES)
        self.birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        self.male = rng.random() < 0.51
        sequence = rng.randrange(1, 500) * 2 - (1 if self.male else 0)
        first17 = f"{self.county}{self.birth:%Y%m%d}{sequence:03d}"
        self.id_number = first17 + id_check(first17)
        self.name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))
        )
        self.sex = "男" if self.male else "女"
        groups, weights = zip(*ETHNIC, strict=True)
        self.ethnic = rng.choices(groups, weights)[0]
        self.address = (
            f"{self.county_name}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
            f"{rng.randint(1, 20)}号楼{rng.randint(1, 6)}单元"
            f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        )


# --- organisations -------------------------------------------------------------------------

TRADE_NAMES = [
    "华信",
    "恒达",
    "金泰",
    "瑞丰",
    "宏远",
    "中联",
    "鑫源",
    "博雅",
    "天成",
    "润泽",
    "安康",
    "永盛",
    "德润",
    "启航",
    "嘉禾",
    "新锐",
    "众合",
    "通达",
    "明珠",
    "致远",
]
INDUSTRIES = [
    "科技",
    "贸易",
    "建设工程",
    "食品",
    "医药",
    "物流",
    "餐饮管理",
    "信息技术",
    "文化传媒",
    "环保科技",
    "电子",
    "机械制造",
    "农业发展",
    "商贸",
    "咨询服务",
]
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit code's alphabet
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(first8: str) -> str:
    """The check character of an organisation code (GB 11714-1997)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def social_credit_code(rng: random.Random, county: str, kind: str = "91") -> str:
    """A unified social credit code: authority and type (91 enterprise, 12 public institution,
    92 individual business), the county, an organisation code, the check character."""
    if kind.startswith("9") and rng.random() < 0.6:  # "MA…": since 2015
        body = "MA" + "".join(rng.choice(ORG_ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    return credit_code.with_check_character(kind + county + body + org_check(body))


class Enterprise:
    """A registered enterprise: code, name, county, representative, capital, founding date."""

    def __init__(self, rng: random.Random) -> None:
        self.county, self.county_name, self.city = rng.choice(COUNTIES)
        self.code = social_credit_code(rng, self.county)
        self.name = f"{self.city}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}有限公司"
        self.representative = Person(rng).name
        self.capital = rng.choice((10, 50, 100, 200, 300, 500, 1000, 2000, 5000))
        self.founded = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))
        district = self.county_name.split("市")[-1]
        self.authority = f"{self.city}市{district}市场监督管理局"


def _day(rng: random.Random, start: int = 2020, years: int = 6) -> dt.date:
    return dt.date(start, 1, 1) + dt.timedelta(days=rng.randrange(365 * years))


# --- the 12 entries written by hand ---------------------------------------------------------

Table = tuple[list[str], list[list[Any]]]


def _population(rng: random.Random) -> Table:
    header = ["公民身份号码", "姓名", "性别", "民族", "出生日期", "户籍地址"]
    people = [Person(rng) for _ in range(200)]
    return header, [
        [p.id_number, p.name, p.sex, p.ethnic, p.birth.isoformat(), p.address] for p in people
    ]


def _migration(rng: random.Random) -> Table:
    header = ["区划代码", "月份", "迁入人数", "迁出人数"]
    rows = []
    for code, _, _ in COUNTIES[:8]:
        base = rng.randint(800, 4000)
        for month in range(1, 13):
            rows.append(
                [
                    code,
                    f"2025-{month:02d}",
                    base + rng.randint(-300, 600),
                    base + rng.randint(-500, 300),
                ]
            )
    return header, rows


def _gdp(rng: random.Random) -> Table:
    header = ["区划代码", "地区名称", "季度", "生产总值（亿元）"]
    shares = (0.23, 0.25, 0.25, 0.27)
    rows = []
    for year, growth in ((2024, 1.0), (2025, 1.05)):
        for code, name, gdp, *_ in PROVINCES:
            for q, share in enumerate(shares, start=1):
                value = gdp * growth * share * rng.uniform(0.98, 1.02)
                rows.append([code, name, f"{year}Q{q}", round(value, 2)])
    return header, rows


def _sample_survey(rng: random.Random) -> Table:
    header = [
        "区划代码",
        "地区名称",
        "年份",
        "常住人口数（万人）",
        "城镇化率（%）",
        "65岁及以上人口占比（%）",
    ]
    rows = []
    for code, name, _, people_2024, urban_2024, elderly_2024 in PROVINCES:
        for year in (2022, 2023, 2024):
            back = 2024 - year
            people = people_2024 * (1 - back * rng.uniform(-0.004, 0.006))
            urban = urban_2024 - back * rng.uniform(0.4, 1.0)
            elderly = elderly_2024 - back * rng.uniform(0.3, 0.6)
            rows.append([code, name, year, round(people, 1), round(urban, 2), round(elderly, 2)])
    return header, rows


def _legal_entities(rng: random.Random) -> Table:
    header = [
        "统一社会信用代码",
        "企业名称",
        "法定代表人",
        "注册资本（万元）",
        "成立日期",
        "登记状态",
        "住所所在区划代码",
    ]
    states = ["存续", "存续", "存续", "存续", "在业", "吊销", "注销", "迁出"]
    rows = []
    for _ in range(300):
        e = Enterprise(rng)
        rows.append(
            [
                e.code,
                e.name,
                e.representative,
                e.capital,
                e.founded.isoformat(),
                rng.choice(states),
                e.county,
                e.authority,
            ]
        )
    return header + EXTRA_COLUMNS["legal-entity-registration"], rows


FOOD_CATEGORIES = [
    ("101", "粮食加工品"),
    ("102", "食用油、油脂及其制品"),
    ("103", "调味品"),
    ("104", "肉制品"),
    ("105", "乳制品"),
    ("106", "饮料"),
    ("107", "方便食品"),
    ("108", "饼干"),
    ("111", "速冻食品"),
    ("113", "糖果制品"),
    ("114", "茶叶及相关制品"),
    ("115", "酒类"),
    ("124", "糕点"),
    ("125", "豆制品"),
]


def _food_licences(rng: random.Random) -> Table:
    header = ["许可证编号", "生产者名称", "统一社会信用代码", "食品类别", "发证日期", "有效期至"]
    rows = []
    for serial in range(1, 151):
        e = Enterprise(rng)
        code, category = rng.choice(FOOD_CATEGORIES)
        issued = _day(rng, 2019, 7)
        expires = issued + dt.timedelta(days=365 * 5)  # a licence is valid five years
        rows.append(
            [
                f"SC{code}{e.county}{serial:04d}{rng.randint(0, 9)}",
                f"{e.city}{rng.choice(TRADE_NAMES)}食品有限公司",
                e.code,
                category,
                issued.isoformat(),
                expires.isoformat(),
            ]
        )
    return [COLUMN_OF["food-production-licences"].get(h, h) for h in header], rows


def _medical(rng: random.Random) -> Table:
    header = ["机构代码", "机构名称", "机构类别", "床位数", "登记年份"]
    kinds = [
        ("人民医院", "综合医院", (300, 1500)),
        ("中医医院", "中医医院", (150, 800)),
        ("妇幼保健院", "妇幼保健院", (80, 400)),
        ("社区卫生服务中心", "社区卫生服务中心", (0, 60)),
        ("口腔医院", "专科医院", (20, 120)),
    ]
    rows = []
    for county, county_name, _ in COUNTIES:
        district = county_name.split("市")[-1]
        for suffix, kind, (low, high) in rng.sample(kinds, 3):
            prefix = district + (rng.choice(STREETS) if kind == "社区卫生服务中心" else "")
            rows.append(
                [
                    social_credit_code(rng, county, "12"),
                    prefix + suffix,
                    kind,
                    rng.randint(low, high),
                    rng.randint(1985, 2024),
                ]
            )
    return header, rows


VACCINES = [
    "乙肝疫苗",
    "卡介苗",
    "脊灰疫苗",
    "百白破疫苗",
    "麻腮风疫苗",
    "乙脑疫苗",
    "A群流脑多糖疫苗",
    "甲肝疫苗",
]


def _vaccination(rng: random.Random) -> Table:
    header = ["区划代码", "年份", "疫苗名称", "接种剂次"]
    rows = []
    for code, _, _ in COUNTIES[:10]:
        births = rng.randint(3000, 12000)
        for year in (2024, 2025):
            for vaccine in VACCINES:
                doses = {"乙肝疫苗": 3, "脊灰疫苗": 4, "百白破疫苗": 4}.get(vaccine, 2)
                rows.append([code, year, vaccine, int(births * doses * rng.uniform(0.95, 1.0))])
    return header, rows


LAND_CLASSES = [
    ("0101", "水田"),
    ("0102", "水浇地"),
    ("0103", "旱地"),
    ("0201", "果园"),
    ("0202", "茶园"),
    ("0301", "乔木林地"),
    ("0305", "灌木林地"),
    ("0401", "天然牧草地"),
    ("0601", "工业用地"),
    ("0701", "城镇住宅用地"),
    ("0702", "农村宅基地"),
    ("1003", "公路用地"),
    ("1101", "河流水面"),
    ("1104", "坑塘水面"),
]


def _land_use(rng: random.Random) -> Table:
    header = ["区划代码", "地类代码", "地类名称", "年份", "面积（公顷）"]
    rows = []
    for code, _, _ in COUNTIES[:6]:
        for land, name in LAND_CLASSES:
            area = rng.uniform(5, 3000)
            for year in (2023, 2024):
                rows.append([code, land, name, year, round(area, 2)])
                area *= rng.uniform(0.97, 1.03)
    return header, rows


def _real_estate(rng: random.Random) -> Table:
    header = ["业务编号", "登记类型", "不动产单元号", "登记日期", "宗地面积（平方米）"]
    kinds = ["首次登记", "转移登记", "变更登记", "抵押权登记", "注销登记", "更正登记"]
    rows = []
    for n in range(1, 121):
        county = rng.choice(COUNTIES)[0]
        unit = (
            f"{county}{rng.randint(1, 20):03d}{rng.randint(1, 30):03d}GB"
            f"{rng.randint(1, 9999):05d}F{rng.randint(1, 40):04d}{rng.randint(1, 9999):04d}"
        )
        day = _day(rng, 2025, 1)
        rows.append(
            [
                f"{day:%Y}{n:08d}",
                rng.choice(kinds),
                unit,
                day.isoformat(),
                round(rng.uniform(800, 60000), 2),
            ]
        )
    return header, rows


INSURANCES = [
    ("110", "企业职工基本养老保险"),
    ("210", "失业保险"),
    ("310", "职工基本医疗保险"),
    ("410", "工伤保险"),
    ("390", "城乡居民基本医疗保险"),
]


def _social_insurance(rng: random.Random) -> Table:
    header = ["公民身份号码", "姓名", "险种代码", "参保状态", "参保年月", "缴费基数（元）"]
    rows = []
    for _ in range(80):
        p = Person(rng)
        start = max(p.birth.year + 18, 1995)
        for code, _ in rng.sample(INSURANCES, rng.randint(1, 3)):
            state = rng.choice(["参保缴费", "参保缴费", "参保缴费", "暂停缴费", "终止参保"])
            base = 0 if code == "390" else rng.randrange(5000, 35000, 100)
            rows.append(
                [
                    p.id_number,
                    p.name,
                    code,
                    state,
                    f"{rng.randint(start, 2025)}-{rng.randint(1, 12):02d}",
                    base,
                ]
            )
    return header, rows


def _employment(rng: random.Random) -> Table:
    header = ["区划代码", "月份", "城镇新增就业人数", "失业人员再就业人数"]
    rows = []
    for code, _, _ in COUNTIES[:8]:
        base = rng.randint(600, 3000)
        for month in range(1, 13):
            rows.append(
                [
                    code,
                    f"2025-{month:02d}",
                    int(base * rng.uniform(0.7, 1.3)),
                    int(base * rng.uniform(0.15, 0.35)),
                ]
            )
    return header, rows


CURATED: dict[str, Callable[[random.Random], Table]] = {
    "population-basic-info": _population,
    "household-migration": _migration,
    "regional-gdp-quarterly": _gdp,
    "population-sample-survey": _sample_survey,
    "legal-entity-registration": _legal_entities,
    "food-production-licences": _food_licences,
    "medical-institutions": _medical,
    "vaccination-statistics": _vaccination,
    "land-use-survey": _land_use,
    "real-estate-registration": _real_estate,
    "social-insurance-enrolment": _social_insurance,
    "employment-services": _employment,
}

# Data item -> the column a source system named it (data_items[].column), per entry.
COLUMN_OF: dict[str, dict[str, str]] = {
    "food-production-licences": {
        "许可证编号": "XKZBH",
        "生产者名称": "SCZMC",
        "统一社会信用代码": "TYSHXYDM",
        "食品类别": "SPLB",
        "发证日期": "FZRQ",
        "有效期至": "YXQZ",
    },
}
# Columns a file holds that match no data item (shown to the provider after the load; never
# delivered outside the providing department).
EXTRA_COLUMNS: dict[str, list[str]] = {"legal-entity-registration": ["登记机关"]}
XLSX = {"population-sample-survey"}

# --- generated entries: values by data item name -------------------------------------------


class Row:
    """What one row is about, drawn when a column first asks (so related columns agree)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._person: Person | None = None
        self._enterprise: Enterprise | None = None

    @property
    def person(self) -> Person:
        if self._person is None:
            self._person = Person(self.rng)
        return self._person

    @property
    def enterprise(self) -> Enterprise:
        if self._enterprise is None:
            self._enterprise = Enterprise(self.rng)
        return self._enterprise


def _code(prefix: str, digits: int) -> Callable[[Row], str]:
    return lambda r: prefix + "".join(r.rng.choice("0123456789") for _ in range(digits))


def _date(start: int = 2020, years: int = 6) -> Callable[[Row], str]:
    return lambda r: _day(r.rng, start, years).isoformat()


def _pick(*values: Any) -> Callable[[Row], Any]:
    return lambda r: r.rng.choice(values)


VALUES: dict[str, Callable[[Row], Any]] = {
    "公民身份号码": lambda r: r.person.id_number,
    "姓名": lambda r: r.person.name,
    "性别": lambda r: r.person.sex,
    "出生日期": lambda r: r.person.birth.isoformat(),
    "户籍地址": lambda r: r.person.address,
    "统一社会信用代码": lambda r: r.enterprise.code,
    "单位名称": lambda r: r.enterprise.name,
    "法定代表人": lambda r: r.enterprise.representative,
    "成立日期": lambda r: r.enterprise.founded.isoformat(),
    "图斑编号": _code("TB", 10),
    "地类代码": lambda r: r.rng.choice(LAND_CLASSES)[0],
    "面积": lambda r: round(r.rng.uniform(50, 50000), 2),
    "坐标": lambda r: f"{r.rng.uniform(103, 122):.6f},{r.rng.uniform(22, 41):.6f}",
    "信用等级": _pick("A", "A", "A", "B", "B", "C", "D"),
    "评价日期": _date(2023, 3),
    "证照编号": _code("ZZ", 14),
    "持证主体": lambda r: r.enterprise.name,
    "发证日期": _date(2018, 7),
    "有效期至": _date(2026, 6),
    "事项编码": _code("11100000", 10),
    "事项名称": _pick(
        "企业设立登记",
        "个体工商户注册",
        "食品经营许可",
        "建筑工程施工许可",
        "社会保障卡申领",
        "居住证办理",
        "城乡居民医保参保登记",
        "公积金提取",
    ),
    "办理时限": _pick(1, 3, 5, 7, 10, 15, 20),
    "机构代码": lambda r: social_credit_code(r.rng, r.rng.choice(COUNTIES)[0], "12"),
    "科室": _pick("内科", "外科", "儿科", "妇产科", "急诊科", "中医科", "口腔科", "眼科"),
    "床位数": lambda r: r.rng.randint(10, 1200),
    "统计日期": _date(2025, 1),
    "参保人员编号": _code("", 10),
    "险种": lambda r: r.rng.choice(INSURANCES)[1],
    "缴费基数": lambda r: r.rng.randrange(5000, 35000, 100),
    "许可证编号": lambda r: (
        f"SC{r.rng.choice(FOOD_CATEGORIES)[0]}{r.enterprise.county}"
        f"{r.rng.randint(1, 9999):04d}{r.rng.randint(0, 9)}"
    ),
    "品种": lambda r: r.rng.choice(FOOD_CATEGORIES)[1],
    "抽检结果": _pick("合格", "合格", "合格", "合格", "不合格"),
    "企业编号": lambda r: r.enterprise.code,
    "隐患等级": _pick("一般隐患", "一般隐患", "一般隐患", "重大隐患"),
    "整改期限": _date(2025, 2),
    "商品编码": _code("69", 11),
    "价格": lambda r: round(r.rng.uniform(1.5, 120), 2),
    "采集日期": _date(2025, 1),
    "站点编号": _code("ZD", 6),
    "供应量": lambda r: round(r.rng.uniform(100, 90000), 1),
    "统计月份": lambda r: f"2025-{r.rng.randint(1, 12):02d}",
    "主体代码": lambda r: r.enterprise.code,
    "失信类型": _pick("拒不履行生效法律文书", "严重违法失信", "欠缴税款", "拖欠农民工工资"),
    "认定日期": _date(2022, 4),
    "项目编号": lambda r: (
        f"{r.rng.choice(COUNTIES)[0]}{r.rng.randint(2019, 2025)}{r.rng.randint(1, 99999):05d}"
    ),
    "建设单位": lambda r: r.enterprise.name,
    "竣工日期": _date(2019, 7),
    "社区代码": lambda r: (
        r.rng.choice(COUNTIES)[0] + f"{r.rng.randint(1, 20):03d}{r.rng.randint(1, 40):03d}"
    ),
    "网格编号": _code("WG", 8),
    "常住户数": lambda r: r.rng.randint(300, 5000),
    "监测点位": lambda r: r.rng.choice(COUNTIES)[1] + r.rng.choice(("监测站", "国控点", "省控点")),
    "污染物": _pick("PM2.5", "PM10", "二氧化硫", "二氧化氮", "臭氧", "一氧化碳"),
    "浓度": lambda r: round(r.rng.uniform(3, 160), 1),
    "监测时间": lambda r: f"{_day(r.rng, 2025, 1)} {r.rng.randint(0, 23):02d}:00",
    "事件编号": _code("SJ2025", 6),
    "事件类型": _pick("火灾", "道路交通事故", "危险化学品泄漏", "城市内涝", "地质灾害"),
    "发生时间": lambda r: (
        f"{_day(r.rng, 2024, 2)} {r.rng.randint(0, 23):02d}:{r.rng.randint(0, 59):02d}"
    ),
    "业务编号": _code("YW2025", 8),
    "办理结果": _pick("办结", "办结", "办结", "不予受理", "补正材料"),
    "办结日期": _date(2025, 1),
    "许可编号": _code("XK2025", 8),
    "许可事项": _pick(
        "食品经营许可", "药品经营许可", "建筑工程施工许可", "排污许可", "道路运输经营许可"
    ),
    "决定日期": _date(2024, 2),
    "处罚决定书文号": lambda r: (
        f"{r.rng.choice(COUNTIES)[2]}市监处罚〔2025〕{r.rng.randint(1, 999)}号"
    ),
    "违法行为": _pick("未取得许可从事经营", "销售不合格产品", "虚假宣传", "未按规定公示信息"),
    "处罚日期": _date(2025, 1),
}
# Data types of the data items (the catalogue's vocabulary); items not listed are strings.
DATA_TYPES: dict[str, str] = {
    **dict.fromkeys(
        [
            "户籍人口数",
            "迁入人数",
            "迁出人数",
            "常住人口数",
            "接种剂次",
            "床位数",
            "办理时限",
            "常住户数",
            "城镇新增就业人数",
            "失业人员再就业人数",
            "年份",
            "登记年份",
        ],
        "integer",
    ),
    **dict.fromkeys(
        [
            "生产总值（亿元）",
            "注册资本（万元）",
            "面积（公顷）",
            "宗地面积（平方米）",
            "面积",
            "缴费基数",
            "缴费基数（元）",
            "价格",
            "供应量",
            "浓度",
            "常住人口数（万人）",
            "城镇化率（%）",
            "65岁及以上人口占比（%）",
        ],
        "decimal",
    ),
    **dict.fromkeys(
        [
            "出生日期",
            "成立日期",
            "评价日期",
            "发证日期",
            "有效期至",
            "统计日期",
            "整改期限",
            "采集日期",
            "认定日期",
            "竣工日期",
            "办结日期",
            "决定日期",
            "处罚日期",
            "登记日期",
        ],
        "date",
    ),
    **dict.fromkeys(["监测时间", "发生时间"], "datetime"),
}


def _generated(columns: list[str], rng: random.Random, rows: int = 20) -> Table:
    table = []
    for _ in range(rows):
        row = Row(rng)
        table.append([VALUES.get(c, lambda r: r.rng.randint(1, 9999))(row) for c in columns])
    return list(columns), table


# --- the files -----------------------------------------------------------------------------


def table(entry: str, columns: list[str], seed: int) -> Table:
    """The header and rows of ``entry``'s resource (columns as ``columns`` for a generated
    entry; the hand-written entries' tables have their own, matching their data items)."""
    rng = random.Random(f"{seed}:{entry}")
    make = CURATED.get(entry)
    return make(rng) if make else _generated(columns, rng)


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list[Any]], title: str = "数据") -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = title[:31]
    xlsx_append(sheet, header)
    for row in rows:
        xlsx_append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def resource_file(entry: str, columns: list[str], seed: int) -> tuple[str, bytes, str, str]:
    """(file name, content, CKAN format, media type) of the entry's resource."""
    header, rows = table(entry, columns, seed)
    if entry in XLSX:
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return f"{entry}.xlsx", xlsx_bytes(header, rows), "XLSX", media
    return f"{entry}.csv", csv_bytes(header, rows), "CSV", "text/csv"


def data_items(entry: str, columns: list[str]) -> list[dict[str, str]]:
    """The entry's data items (name, data type, the column when it is not the name)."""
    mapped = COLUMN_OF.get(entry, {})
    items = []
    for name in columns:
        item = {"name": name, "data_type": DATA_TYPES.get(name, "string")}
        if name in mapped:
            item["column"] = mapped[name]
        items.append(item)
    return items
