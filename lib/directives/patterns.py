"""Every regular expression of the cleaning pipeline, compiled once, in one place."""

from __future__ import annotations

import re

# The Han characters: CJK Extension A, the Unified Ideographs and the Compatibility Ideographs (the Basic
# Multilingual Plane only: a character beyond it is two UTF-16 units, which the counting tables rely on).
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
HAN = "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in HAN_RANGES)
HAN_CHAR = re.compile(f"[{HAN}]")
NON_HAN_RUN = re.compile(f"[^{HAN}]+")
# Letters that occur in toned pinyin (plain a-z plus tone-marked vowels, ü, ê, ḿ ń ň ǹ).
PINYIN_LETTERS = "a-zA-Zàáèéêìíòóùúüāēěīńňōūǎǐǒǔǘǚǜǹḿếề\u0300\u0304\u030c"

# 1. pinyin annotation glued after a Han character: 實(shí) or 實（shí）.
PINYIN_ANNOTATION = re.compile(f"(?<=[{HAN}])[(（]([{PINYIN_LETTERS}]{{1,7}})[)）]")

#    What each annotation starts with (an opening bracket before a pinyin letter): a text without one has none.
PINYIN_OPENING = re.compile(f"[(（][{PINYIN_LETTERS}]")

# 2. GBK damage: a '?' (or U+FFFD) standing where a character was lost, optionally followed by the
#    pinyin reading of the lost character and a ')' whose '(' was eaten by the damage.
DAMAGE_MARK = "?\ufffd"
#    A mark with the reading of the character it stands for, its '(' eaten by the damage: ``?qǐng)``.
_READING = "[a-zàáèéêìíòóùúüāēěīńňōūǎǐǒǔǘǚǜǹḿếề\u0300\u0304\u030c]{1,7}"
LOST_SLOT = re.compile(f"[{DAMAGE_MARK}](?:({_READING})\\))?")
FOLLOWING_READING = re.compile(f"\\(({_READING})\\)")
ANY_READING = re.compile(f"[(]?{_READING}[)]|[\\x00-\\x7f]")
ASCII_TRAIL_BYTE = re.compile("[\\x40-\\x7e]")
#    Where damage can be anchored: a mark after a non-ASCII character; an ASCII letter glued between a
#    non-ASCII character and a reading (``三仡C(bān)發``: C is the second byte of 頒, whose first byte ended
#    仡); a reading after a non-ASCII character (it proves damage where that character cannot be read so).
DAMAGE_START = re.compile(
    f"(?<=[^\\x00-\\x7f])(?:[{DAMAGE_MARK}]|[\\x40-\\x7e](?=\\({_READING}\\))|(?=\\({_READING}\\)))"
)
# where DAMAGE_START can match: at a mark, at a "(" or just before one (searched first, as a character set, which re
# scans for quickly; DAMAGE_START, which opens with a look-behind, is tried at every character)
DAMAGE_CANDIDATE = re.compile(f"[{DAMAGE_MARK}(]")

# 3. page furniture
HEADER_DATETIME = re.compile(
    r"(?P<date>(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)"
    r"(?:(?:\s*|T)(?P<time>\d{1,2}[:：时]\d{2}(?:[:：分]\d{2}秒?)?分?))?"
)
_HEADER_KEYS = (
    r"發布時間|发布时间|發布日期|发布日期|時間|时间|日期|信息來源|信息来源|來源|来源|編輯|编辑|責編|责编|作者|瀏覽量|浏览量|"
    r"訪問次數|访问次数|閱讀|阅读|點擊|点击"
)
# a key stands on its own (数据来源, 工作时间 are not keys) and its value is short
HEADER_KEY = re.compile(_HEADER_KEYS)  # a header field's key anywhere: a line without one, or a date, is no header
HEADER_FIELD = re.compile(
    f"(?<![{HAN}])(?P<key>{_HEADER_KEYS})\\s*[:：]\\s*(?P<value>[^|｜\\n]{{0,40}}?)(?=\\s*(?:[|｜]|\\s{{2,}}|$|"
    f"(?<![{HAN}])(?:{_HEADER_KEYS})\\s*[:：]))"
)
FOOTER_LINE = re.compile(
    r"^\s*(?:\[\s*)?(?:責編|责编|責任編輯|责任编辑|編輯|编辑|來源|来源|校對|校对|審核|审核|監製|监制|數據來源|数据来源|"
    r"圖片來源|图片来源|版式設計|版式设计|本版攝影|本版摄影|本版製圖|本版制图|本版統籌|本版统筹|製圖|制图)\s*[:：]"
)
FOOTER_INLINE = re.compile(r"\[\s*(?:責編|责编|責任編輯|责任编辑)\s*[:：][^\]]*\]")
APP_PROMPT = re.compile(r"^\s*(?:下載|下载|打開|打开)\s*APP\s*$|^\s*(?:掃碼|扫码|長按|长按).{0,20}$", re.IGNORECASE)
LINK_LIST_HEAD = re.compile(
    r"(相關閱讀|相关阅读|精彩推薦|精彩推荐|相關新聞|相关新闻|延伸閱讀|延伸阅读|熱點推薦|热点推荐|推薦閱讀|推荐阅读)\s*$"
)
LINK_ITEM = re.compile(r"^\s*(?:[-•·*]\s|\d+[.、]\s*)")
SIGNOFF_LINE = re.compile(f"^\\s*[{HAN}]{{2,6}}融媒\\s*$")
BYLINE_PAREN = re.compile(
    f"[(（](?P<who>(?:[{HAN}]{{0,12}}(?:記者|记者|通訊員|通讯员|全媒體記者|全媒体记者|實習生|实习生))\\s*[{HAN}·\\s]{{2,30}})[)）]\\s*$"
)
DATELINE = re.compile(
    f"^(?P<lead>(?:本報訊|本报讯|[{HAN}]{{2,16}}?(?:客戶端|客户端|網|网|社|台)?\\d{{1,2}}月\\d{{1,2}}日(?:訊|讯|電|电|消息)"
    f"|(?:據|据)?(?:本報|本报|新華社|新华社|中新社)[{HAN}]{{2,10}}?(?:電|电)(?=[\\s\u3000（(]|記者|记者)"
    f"|(?:[{HAN}]{{2,8}}(?:網|网|台|社|客戶端|客户端))消息(?:\\s*[(（][{HAN}]{{2,12}}[)）])?\\s*[:：]?)\\s*)"
    f"(?:[(（](?P<who>[^()（）]{{2,40}})[)）])?"
)
# names of two or three characters (four with a two-character surname), two to five of them
_SURNAME2 = "欧阳|歐陽|司马|司馬|上官|诸葛|諸葛|东方|東方|皇甫|令狐|慕容|尉迟|尉遲|公孙|公孫"
_NAME = f"(?:(?:{_SURNAME2})[{HAN}]{{1,2}}|[{HAN}]{{2,3}})"
# a reporter line of its own: 本报记者  姜泓冰, 新华社记者  某某摄, 本报记者 张  枨 李某
REPORTER_LINE = re.compile(
    f"^\\s*(?:本報|本报|新華社|新华社|中新社)?(?:特約|特约|駐[{HAN}]{{1,6}}|驻[{HAN}]{{1,6}})?(?:記者|记者|通訊員|通讯员)"
    f"[\\s\u3000\u00a0]+(?P<who>[{HAN}·][{HAN}·\\s\u3000\u00a0、]{{1,40}}?)(?P<photo>攝|摄)?\\s*$"
)
# a dateline at the end of an article, in brackets: （本报巴黎电）, （本报布鲁塞尔10月4日电  记者某某）
TRAILING_DATELINE = re.compile(
    f"[(（](?P<lead>(?:據|据)?(?:本報|本报|新華社|新华社|中新社)[{HAN}]{{2,10}}?(?:\\d{{1,2}}月\\d{{1,2}}日)?(?:電|电))"
    f"(?:[\\s\u3000]*(?P<who>[^()（）]{{0,30}}))?[)）]\\s*$"
)
AUTHOR_LINE = re.compile(f"^\\s*{_NAME}(?:\\s+{_NAME}){{1,4}}\\s*$")
INDENTED_LINE = re.compile("^(?:\u3000|[ \t]{2,}|[ \t]+\u3000)[ \t\u3000]*[^\\s\u3000]")
# a line that ends a title block: a bare number or date, 目录 / 前言, a table-of-contents line
TITLE_STOP = re.compile(
    r"^\s*(?:\d{1,4}|目\s*[录錄]|前\s*言|(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?)\s*$|\.{4,}|…{2,}"
    r"|^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
)
# a line that ends as a clause does, not as a title
CLAUSE_END = re.compile("[，、；：,;:]\\s*$")
ORIGINAL_TITLE = re.compile(r"^\s*[(（]?\s*(?:原標題|原标题)\s*[:：][^\n]{0,80}?[)）]?\s*$")
TOPIC_LINK = re.compile(r"^\s*(?:點擊進入專題|点击进入专题|點擊查看|点击查看|\[查看原文\]\([^)]*\)).*$")
# an inline (原标题：…) or [查看原文](…) inside a paragraph
INLINE_FURNITURE = re.compile(r"[(（]\s*(?:原標題|原标题)\s*[:：][^()（）\n]{1,80}[)）]|\[查看原文\]\([^)\n]*\)")
# a paragraph run on in one physical line: two or more ideographic spaces after the end of a sentence
RUN_ON_PARAGRAPH = re.compile("(?<=[。！？；”」』）)…])[ \t]*(?=\u3000{2,}\\S)".replace("\\S", "[^\\s\u3000]"))
#    …which needs the end of a sentence, spaces or tabs, then two ideographic spaces: a text without one has none
RUN_ON_CANDIDATE = re.compile("[。！？；”」』）)…][ \t]*\u3000\u3000")
# an addressee line of an official document (主送机关): 各市人民政府，…：
ADDRESSEE_LINE = re.compile(
    f"^\\s*(?:各[{HAN}（）()、，,]{{2,200}}|[{HAN}（）()、，,]{{2,200}}?(?:政府|部门|部門|单位|單位|局|厅|廳|委|委员会|院|校|大学|大學|"
    f"学院|學院|公司|集团|集團|中心|机构|機構|企业|企業))[:：]\\s*"
)
# the end of an official document: signature (issuer lines, then a date), distribution and contact lines
_CN_DIGIT = "〇零一二三四五六七八九十"
DATE_ONLY_LINE = re.compile(
    f"^\\s*(?P<date>(?:19|20)\\d{{2}}\\s*年\\s*\\d{{1,2}}\\s*月\\s*\\d{{1,2}}\\s*日|[{_CN_DIGIT}]{{4}}年[{_CN_DIGIT}]{{1,2}}月[{_CN_DIGIT}]{{1,3}}日)\\s*$"
)
ISSUER_LINE = re.compile(
    f"^\\s*(?:[{HAN}（）()\\s]{{2,40}}?(?:政府|委员会|委員會|办公厅|辦公廳|办公室|辦公室|部|局|委|厅|廳|院|中心|会|會|社|所|组|組|处|處|办|辦))\\s*$"
)
DISTRIBUTION_LINE = re.compile(
    r"^\s*(?:抄送|抄報|抄报|主送|分送)\s*[:：].*$|^.{0,40}(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印發|印发)\s*$"
    r"|^\s*[(（]此件(?:公開發布|公开发布|主動公開|主动公开|發至|发至)[^)）]{0,20}[)）]\s*$"
)
ATTACHMENT_LINE = re.compile(r"^\s*(?:附件|附表)\s*\d*\s*[:：]")
CONTACT_LINE = re.compile(
    r"^\s*(?:聯繫人|联系人|聯繫電話|联系电话|電\s*話|电\s*话|傳\s*真|传\s*真|郵\s*箱|邮\s*箱|電子郵箱|电子邮箱)\s*[:：]"
)
# The words without which no line rule of strip_furniture's second pass can match (FOOTER_INLINE, FOOTER_LINE,
# APP_PROMPT, SIGNOFF_LINE, REPORTER_LINE, ORIGINAL_TITLE, TOPIC_LINK, INLINE_FURNITURE each needs one of them in
# the line): only lines holding one are tried (a test checks each rule against it). And the heads of link lists.
LINE_FURNITURE_WORDS = re.compile(
    r"責編|责编|責任編輯|责任编辑|編輯|编辑|來源|来源|校對|校对|審核|审核|監製|监制|製圖|制图|版式設計|版式设计|本版攝影|本版摄影|"
    r"本版製圖|本版制图|本版統籌|本版统筹|下載|下载|打開|打开|掃碼|扫码|長按|长按|融媒|記者|记者|通訊員|通讯员|原標題|原标题|"
    r"點擊|点击|\[查看原文\]"
)
LINK_LIST_WORDS = re.compile(
    r"相關閱讀|相关阅读|精彩推薦|精彩推荐|相關新聞|相关新闻|延伸閱讀|延伸阅读|熱點推薦|热点推荐|推薦閱讀|推荐阅读"
)
# a line that is a title's subtitle
SUBTITLE_LINE = re.compile(r"^\s*(?:——|--|－－)")
HTML_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
HTML_TAG = re.compile(r"<(?:script|style)[^>]*>.*?</(?:script|style)>|<[^>\n]{1,300}>", re.IGNORECASE | re.DOTALL)

# 4. whitespace
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
HORIZONTAL_SPACE = re.compile("[ \t\u00a0\u3000]+")
MANY_NEWLINES = re.compile(r"\n{3,}")

CJK_SPACE_CJK = re.compile(f"(?<=[{HAN}，。、；：！？“”])[ ]+(?=[{HAN}，。、；：！？“”])")
#    the same matches, found faster: the search starts at a space (a literal) rather than at every character
CJK_SPACE_CJK_FAST = re.compile(f"[ ](?<=[{HAN}，。、；：！？“”][ ])[ ]*(?=[{HAN}，。、；：！？“”])")

# what an item is
ADVERT = re.compile(r"^\s*(?:廣告|广告)\s*$|^\s*(?:【|\[)?(?:廣告|广告)(?:】|\])", re.MULTILINE)
CAPTION = re.compile(
    r"^\s*(?:圖片報道|图片报道|圖片新聞|图片新闻|組圖|组图|圖說|图说|本版攝影|本版摄影|圖為|图为)", re.MULTILINE
)
PHOTO_CREDIT = re.compile(f"[(（][^()（）]{{0,30}}?(?:攝|摄|供圖|供图)[)）]|(?:攝|摄)影[:：]\\s*[{HAN}]{{2,4}}")

# a one-character word's line in jieba's dictionary file: "责 12345 ng"
ONE_CHARACTER_ENTRY = re.compile(r"^[ \t]*(\S) (\d+)(?: |[ \t]*$)", re.MULTILINE)

# dates in a file name: 20200131-02-06.txt, 2021-08-13_x.txt
FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)")

# Furniture among the passages articles share (echoes.py): datelines, standard opening and closing lines of
# documents, signatures, copyright lines.
ECHO_BOILERPLATE = re.compile(
    "|".join([
        r"^(本报|新华社|人民网|中新社|央视网|据新华社|新华网)[^。]{0,16}\d{1,2}月\d{1,2}日(电|讯)",  # datelines
        r"^本报记者|^记者[\u4e00-\u9fff]{2,4}(报道|摄)",
        r"特此通知|现印发给你们|请认真贯彻执行|请遵照执行|请认真组织实施|请结合实际认真贯彻落实|此件公开发布|此页无正文|抄送",
        r"本(通知|办法|意见|规定|方案|细则|规划|决定|计划)自\d{4}年\d{1,2}月\d{1,2}日起(施行|实施)",
        r"^各省自治区直辖市|^各市人民政府|^国务院各部委各直属机构|^省政府各部门各直属机构",
        r"(人民政府|办公厅|办公室)\d{4}年\d{1,2}月\d{1,2}日$",
        r"责任编辑|版权所有|转载请注明",
        # a leader's titles, one after another (中共中央政治局委员、国务院副总理): a formula of protocol, not wording
        # that travels
        r"(?:(?:中共中央政治局常委|中共中央政治局委员|中央政治局常委|中央政治局委员|中央书记处书记|国家主席|国家副主席|"
        r"中央军委主席|中央军委副主席|国务院总理|国务院副总理|国务委员|全国人大常委会委员长|全国人大常委会副委员长|"
        r"全国政协主席|全国政协副主席|中央纪委书记|国家监委主任|最高人民法院院长|最高人民检察院检察长|中共中央总书记|"
        r"省委书记|省长|市委书记|市长)[、，]?){2,}",
    ])
)  # fmt: skip

# The characters near-copies compare (echoes.py), as runs: Han characters, digits and a decimal point between
# digits (the same characters as reuse.normalise_for_reuse keeps; runs make fewer, so faster, matches), and the
# full-width digits and point that are then made ASCII.
REUSE_RUN = re.compile(f"(?:[{HAN}]|[0-9０-９]|(?<=[0-9０-９])[.．](?=[0-9０-９]))+")
FULL_WIDTH_NUMBER = re.compile("[０-９．]")
