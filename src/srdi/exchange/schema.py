"""The enterprise profile exchange format v1, declared once.

Everything that reads, writes, validates or stores profiles (the validator, the xlsx template,
the readers and writers, the registry's models) takes the field list from here.

Structure of a profile (see docs/contracts/enterprise-profile.md):

* top-level scalar fields (``TOP``),
* objects ``market``, ``quality``, ``ip``, ``compliance`` (``OBJECTS``),
* arrays of objects ``awards``, ``maker_china``, ``honors``, ``titles`` (``ARRAYS``),
* year-keyed maps ``development_scores`` (year → number) and ``years`` (year → object),
* ``ext``: free-form, kept as is.

Each field has a *kind*:

* ``measurement`` — absent (or null) means unknown; never filled in;
* ``declaration`` — absent means none claimed; a writer may fill in ``fill`` (false / 0 / null /
  "none" / []);
* ``attribute`` — identity and descriptive data (name, region, dates …); absent stays absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "ARRAYS",
    "ATTRIBUTE",
    "DECLARATION",
    "ENUMS",
    "FORMAT_VERSION",
    "MEASUREMENT",
    "OBJECTS",
    "SECTIONS",
    "TOP",
    "YEAR_MAX",
    "YEAR_MIN",
    "Field",
    "Section",
    "all_fields",
    "field_by_path",
    "section",
]

FORMAT_VERSION = 1
YEAR_MIN, YEAR_MAX = 1900, 2100

MEASUREMENT = "measurement"
DECLARATION = "declaration"
ATTRIBUTE = "attribute"

# value types
STR = "str"  # free text
CODE = "code"  # text code checked against reference data (region, industry, sei)
INT = "int"
NUMBER = "number"  # int or Decimal, never float
BOOL = "bool"
DATE = "date"
ENUM = "enum"

_NOFILL = object()


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the format.

    ``path`` is the dotted path with ``*`` standing for a year key (``years.*.revenue``) and
    ``[]`` for an array item (``awards[].level``).
    """

    key: str
    type: str
    kind: str
    label: str
    path: str = ""
    unit: str = ""
    enum: tuple[tuple[object, str], ...] = ()
    min: object = None
    max: object = None
    required: bool = False
    nullable: bool = False  # null is a meaningful value (sei_code, foundation_field)
    fill: object = _NOFILL  # what an absent declaration means, written out by writers
    money: bool = False
    percent: bool = False
    help: str = ""

    enum_set: frozenset = frozenset()  # derived: the enum values, for fast membership tests

    def __post_init__(self):
        object.__setattr__(self, "enum_set", frozenset(v for v, _ in self.enum))

    @property
    def has_fill(self) -> bool:
        return self.fill is not _NOFILL

    @property
    def enum_values(self) -> tuple:
        return tuple(v for v, _ in self.enum)

    @property
    def enum_labels(self) -> dict:
        return dict(self.enum)

    @property
    def header(self) -> str:
        """Chinese column header (label with unit)."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass(frozen=True, slots=True)
class Section:
    """A group of fields: the top level, an object, an array of objects or a year map."""

    key: str  # "" for the top level
    shape: str  # "top" | "object" | "array" | "year_objects" | "year_values" | "free"
    label: str
    sheet: str
    fields: tuple[Field, ...] = ()
    by_key: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


# ---------------------------------------------------------------- enums (value, 中文标签)

SIZE_SECTORS = (
    ("agriculture", "农、林、牧、渔业"),
    ("industry", "工业"),
    ("construction", "建筑业"),
    ("wholesale", "批发业"),
    ("retail", "零售业"),
    ("transport", "交通运输业"),
    ("warehousing", "仓储业"),
    ("postal", "邮政业"),
    ("hotel", "住宿业"),
    ("catering", "餐饮业"),
    ("telecom", "信息传输业"),
    ("software_it", "软件和信息技术服务业"),
    ("real_estate", "房地产开发经营"),
    ("property_management", "物业管理"),
    ("leasing_business", "租赁和商务服务业"),
    ("other", "其他未列明行业"),
)
FOUNDATION_FIELDS = (
    ("components", "核心基础零部件"),
    ("electronic_components", "核心基础元器件"),
    ("key_software", "关键软件"),
    ("basic_process", "先进基础工艺"),
    ("basic_material", "关键基础材料"),
    ("industrial_technology", "产业技术基础"),
)
RD_INSTITUTIONS = (
    ("national", "国家级"),
    ("provincial", "省级"),
    ("municipal", "市级"),
    ("below_municipal", "市级以下"),
    ("none", "未建立"),
)
DIGITAL_LEVELS = ((1, "一级"), (2, "二级"), (3, "三级"), (4, "四级"))
AWARD_LEVELS = (("national", "国家级"), ("provincial", "省级"))
MAKER_CHINA_GROUPS = (("top50", "全国50强"), ("top500", "全国500强"))
HONOR_TYPES = (
    ("high_tech", "高新技术企业"),
    ("tech_innovation_demo", "国家级技术创新示范企业"),
    ("ip_advantage", "知识产权优势企业"),
    ("ip_demo", "知识产权示范企业"),
)
TITLE_TIERS = (
    ("tech_sme", "科技型中小企业"),
    ("innovative_sme", "创新型中小企业"),
    ("srdi_sme", "专精特新中小企业"),
    ("little_giant", "专精特新“小巨人”企业"),
    ("single_champion", "制造业单项冠军企业"),
)
TITLE_LEVELS = (("national", "国家级"), ("provincial", "省级"), ("municipal", "市级"))

ENUMS = MappingProxyType(
    {
        "size_sector": SIZE_SECTORS,
        "foundation_field": FOUNDATION_FIELDS,
        "rd_institution": RD_INSTITUTIONS,
        "digital_level": DIGITAL_LEVELS,
        "awards.level": AWARD_LEVELS,
        "maker_china.group": MAKER_CHINA_GROUPS,
        "honors.type": HONOR_TYPES,
        "titles.tier": TITLE_TIERS,
        "titles.level": TITLE_LEVELS,
    }
)


# ---------------------------------------------------------------- field helpers


def _decl_bool(key, label, **kw):
    return Field(key, BOOL, DECLARATION, label, fill=False, **kw)


def _money(key, label, kind=MEASUREMENT, min=0, **kw):
    return Field(key, NUMBER, kind, label, unit="万元", min=min, money=True, **kw)


# ---------------------------------------------------------------- top level

TOP = (
    Field("uscc", CODE, ATTRIBUTE, "统一社会信用代码", required=True),
    Field("name", STR, ATTRIBUTE, "企业名称", required=True),
    Field("region", CODE, ATTRIBUTE, "所属板块", help="常熟市镇、街道或园区名称"),
    Field(
        "industry_code",
        CODE,
        ATTRIBUTE,
        "国民经济行业代码",
        help="GB/T 4754-2017，优先填小类，如 C3484（门类字母可省略）",
    ),
    Field(
        "size_sector",
        ENUM,
        ATTRIBUTE,
        "划型行业",
        enum=SIZE_SECTORS,
        help="工信部联企业〔2011〕300号；不填则按行业代码推定",
    ),
    Field("established", DATE, ATTRIBUTE, "成立日期"),
    Field("niche_since", DATE, MEASUREMENT, "从事特定细分市场起始日期"),
    Field("main_product", STR, ATTRIBUTE, "主导产品"),
    Field(
        "sei_code",
        CODE,
        DECLARATION,
        "战略性新兴产业分类代码",
        nullable=True,
        fill=None,
        help="《战略性新兴产业分类(2018)》代码，如 2.1；不属于则留空",
    ),
    Field(
        "foundation_field",
        ENUM,
        DECLARATION,
        "工业“六基”领域",
        enum=FOUNDATION_FIELDS,
        nullable=True,
        fill=None,
    ),
    _decl_bool("priority_field", "属于制造强国/网络强国重点领域"),
    _decl_bool("modern_industry_field", "属于传统/新兴/未来产业领域"),
    _decl_bool("time_honored_brand", "中华老字号"),
    _decl_bool("serves_chain_leader", "服务关键产业链龙头企业"),
    _decl_bool("chain_breakthrough", "补短板/锻长板/填空白取得成效"),
    _decl_bool("key_chain_position", "位于产业链关键环节"),
    Field(
        "digital_level",
        INT,
        MEASUREMENT,
        "数字化水平等级",
        enum=DIGITAL_LEVELS,
        min=1,
        max=4,
    ),
    _decl_bool("mgmt_certified", "取得管理体系认证"),
    _decl_bool("intl_product_cert", "产品通过发达国家和地区认证"),
    _decl_bool("info_system", "核心业务采用信息系统"),
    Field(
        "rd_institution",
        ENUM,
        DECLARATION,
        "研发机构级别",
        enum=RD_INSTITUTIONS,
        fill="none",
    ),
    Field(
        "local_featured_points",
        NUMBER,
        MEASUREMENT,
        "特色化指标得分",
        unit="分",
        min=0,
        max=15,
    ),
)

# ---------------------------------------------------------------- objects

MARKET = (
    Field(
        "share_pct",
        NUMBER,
        MEASUREMENT,
        "细分市场占有率",
        unit="%",
        min=0,
        max=100,
        percent=True,
    ),
    Field("domestic_rank", INT, MEASUREMENT, "国内细分市场排名", min=1),
    Field("global_rank", INT, MEASUREMENT, "全球细分市场排名", min=1),
    _decl_bool("leading", "细分市场占有率较为靠前"),
)
QUALITY = (
    _decl_bool("provincial_award", "省级以上质量奖"),
    _decl_bool("iso9001", "质量管理体系认证"),
    _decl_bool("own_brand", "自主品牌"),
    _decl_bool("standards", "参与制修订标准"),
)


def _ip(key, label):
    return Field(key, INT, DECLARATION, label, unit="件", min=0, fill=0)


IP = (
    _ip("class1", "Ⅰ类知识产权"),
    _ip("class1_self_developed", "其中自主研发"),
    _ip("class1_high_value", "其中高价值"),
    _ip("class1_applied", "其中已应用并产生效益"),
    _ip("class2", "Ⅱ类知识产权"),
)
COMPLIANCE = (
    _decl_bool("abnormal_list", "列入经营异常名录"),
    _decl_bool("serious_dishonesty", "列入严重失信主体名单"),
    _decl_bool("major_incident_3y", "近三年重大事故或违法违规"),
    _decl_bool("prohibited_industry", "主导产品属于禁止/限制/淘汰类"),
)

# ---------------------------------------------------------------- arrays (declarations, fill [])

AWARDS = (
    Field("level", ENUM, DECLARATION, "奖励级别", enum=AWARD_LEVELS, required=True),
    Field("year", INT, DECLARATION, "获奖年份", min=YEAR_MIN, max=YEAR_MAX, required=True),
    Field("rank", INT, DECLARATION, "获奖单位排名", min=1),
)
MAKER_CHINA = (
    Field("year", INT, DECLARATION, "参赛年份", min=YEAR_MIN, max=YEAR_MAX, required=True),
    Field("group", ENUM, DECLARATION, "名次", enum=MAKER_CHINA_GROUPS, required=True),
)
HONORS = (
    Field("type", ENUM, DECLARATION, "荣誉类型", enum=HONOR_TYPES, required=True),
    Field("valid_until", DATE, DECLARATION, "有效期至"),
)
TITLES = (
    Field("tier", ENUM, DECLARATION, "称号", enum=TITLE_TIERS, required=True),
    Field("level", ENUM, DECLARATION, "认定级别", enum=TITLE_LEVELS, required=True),
    Field("granted", DATE, DECLARATION, "认定日期"),
    Field("valid_until", DATE, DECLARATION, "有效期至"),
)

# ---------------------------------------------------------------- year maps

DEVELOPMENT_SCORE = Field("score", NUMBER, MEASUREMENT, "发展评价得分", unit="分", min=0, max=100)

YEARS = (
    Field("employees", INT, MEASUREMENT, "从业人员", unit="人", min=0),
    Field("rd_staff", INT, MEASUREMENT, "研发人员", unit="人", min=0),
    _money("revenue", "营业收入"),
    _money("main_revenue", "主营业务收入"),
    _money("total_assets", "资产总额"),
    _money("total_liabilities", "负债总额"),
    _money("net_profit", "净利润", min=None),
    _money("rd_expense", "研发费用"),
    _money("equity_financing", "新增股权融资", kind=DECLARATION, fill=0),
    _money("local_contribution", "地方财政贡献"),
    _money("export_revenue", "出口收入"),
    Field(
        "cnc_rate",
        NUMBER,
        MEASUREMENT,
        "关键工序数控化率",
        unit="%",
        min=0,
        max=100,
        percent=True,
    ),
    # Booleans under years are treated as measurements (a yearly survey answer; absent = unknown):
    # the contract lists "every figure under years except equity_financing" as measurements.
    Field("digital_management", BOOL, MEASUREMENT, "经营管理数字化"),
    Field("digital_rd_tools", BOOL, MEASUREMENT, "使用数字化研发设计工具"),
)


def _section(key, shape, label, sheet, fields):
    prefix = {
        "top": "",
        "object": f"{key}.",
        "array": f"{key}[].",
        "year_objects": f"{key}.*.",
        "year_values": f"{key}.*",
        "free": key,
    }[shape]
    fs = []
    for f in fields:
        path = prefix if shape == "year_values" else prefix + f.key
        fs.append(_replace_path(f, path))
    fs = tuple(fs)
    return Section(key, shape, label, sheet, fs, MappingProxyType({f.key: f for f in fs}))


def _replace_path(f: Field, path: str) -> Field:
    from dataclasses import replace

    return replace(f, path=path)


SECTIONS = (
    _section("", "top", "企业基本信息", "企业基本信息", TOP),
    _section("market", "object", "市场", "市场", MARKET),
    _section("quality", "object", "质量", "质量", QUALITY),
    _section("ip", "object", "知识产权", "知识产权", IP),
    _section("awards", "array", "科技奖励", "科技奖励", AWARDS),
    _section("maker_china", "array", "创客中国", "创客中国", MAKER_CHINA),
    _section("honors", "array", "荣誉", "荣誉", HONORS),
    _section("titles", "array", "称号", "称号", TITLES),
    _section(
        "development_scores", "year_values", "发展评价得分", "发展评价得分", (DEVELOPMENT_SCORE,)
    ),
    _section("compliance", "object", "合规", "合规", COMPLIANCE),
    _section("years", "year_objects", "年度数据", "年度数据", YEARS),
    _section("ext", "free", "扩展", "扩展", ()),
)
_BY_KEY = {s.key: s for s in SECTIONS}
TOP_SECTION = _BY_KEY[""]
OBJECTS = tuple(s for s in SECTIONS if s.shape == "object")
ARRAYS = tuple(s for s in SECTIONS if s.shape == "array")

#: every key allowed at the top level of a profile
TOP_KEYS = frozenset([f.key for f in TOP] + [s.key for s in SECTIONS if s.key])


def section(key: str) -> Section:
    return _BY_KEY[key]


def all_fields() -> tuple[Field, ...]:
    return tuple(f for s in SECTIONS for f in s.fields)


_BY_PATH = {f.path: f for f in all_fields()}


def field_by_path(path: str) -> Field:
    """Look a field up by its schema path (``years.*.revenue``, ``awards[].level``) or by a
    concrete path (``years.2024.revenue``, ``awards[0].level``)."""
    if path in _BY_PATH:
        return _BY_PATH[path]
    import re

    generic = re.sub(r"\[\d+\]", "[]", path)
    parts = generic.split(".")
    if len(parts) >= 2 and parts[0] in ("years", "development_scores"):
        parts[1] = "*"
    generic = ".".join(parts)
    return _BY_PATH[generic]


def path_label(path: str) -> str:
    """A person's name for a concrete input path: ``years.2024.rd_expense`` → ``2024年研发费用``;
    ``development_scores.2026`` → ``2026年专精特新发展评价得分``; other paths by the schema's
    Chinese label; an unknown path is returned as it is."""
    parts = path.split(".")
    try:
        label = field_by_path(path).label
    except KeyError:
        return _section_path_label(path)
    if len(parts) >= 2 and parts[0] in ("years", "development_scores") and parts[1].isdigit():
        if parts[0] == "development_scores":
            return f"{parts[1]}年专精特新发展评价得分"
        return f"{parts[1]}年{label}"
    return label


def _section_path_label(path: str) -> str:
    """Paths that name a section or an item: ``years.2024`` → 2024年年度数据,
    ``awards[1]`` → 获奖情况第2项, ``ext.foo`` → 扩展内容“foo”; else the path as it is."""
    import re

    head, _, rest = path.partition(".")
    m = re.fullmatch(r"([a-z_]+)\[(\d+)\]", head)
    key = m.group(1) if m else head
    if key not in _BY_KEY or not key:
        return path
    sec = _BY_KEY[key]
    if key == "ext":
        return f"{sec.label}“{rest}”" if rest else sec.label
    if m:
        return f"{sec.label}第{int(m.group(2)) + 1}项"
    if rest.isdigit():
        return f"{rest}年{sec.label}"
    return sec.label
