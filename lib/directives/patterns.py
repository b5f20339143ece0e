"""Every regular expression of the cleaning pipeline, compiled once, in one place."""

from __future__ import annotations

import re

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")
NON_HAN_RUN = re.compile(f"[^{HAN}]+")
# Letters that occur in toned pinyin (plain a-z plus tone-marked vowels, ü, ê, ḿ ń ň ǹ).
PINYIN_LETTERS = "a-zA-Zàáèéêìíòóùúüāēěīńňōūǎǐǒǔǘǚǜǹḿếề\u0300\u0304\u030c"

# 1. pinyin annotation glued after a Han character: 實(shí) or 實（shí）.
PINYIN_ANNOTATION = re.compile(f"(?<=[{HAN}])[(（]([{PINYIN_LETTERS}]{{1,7}})[)）]")

# 2. GBK damage: a '?' (or U+FFFD) standing where a character was lost, optionally followed by the
#    pinyin reading of the lost character and a ')' whose '(' was eaten by the damage.
DAMAGE_MARK = "?\ufffd"
LOST_SLOT = re.compile(f"[{DAMAGE_MARK}](?:([{PINYIN_LETTERS}]{{1,7}})\\))?")
ASCII_TRAIL_BYTE = re.compile(f"[\\x40-\\x7e](?=[{HAN}])")
DAMAGE_START = re.compile(f"(?<=[^\\x00-\\x7f])[{DAMAGE_MARK}]")
GBK_DOUBLE_RUN = re.compile(f"[{HAN}\u3000-\u303f\uff01-\uff5e\u201c\u201d\u2018\u2019\u2014\u2026]+")
FOLLOWING_READING = re.compile(f"\\(([{PINYIN_LETTERS}]{{1,7}})\\)")

# 3. page furniture
HEADER_DATETIME = re.compile(
    r"(?P<date>(?:19|20)\d{2}[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2}日?)(?:\s*(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
)
HEADER_FIELD = re.compile(
    r"(?P<key>發布時間|发布时间|時間|时间|信息來源|信息来源|來源|来源|編輯|编辑|責編|责编|作者|瀏覽量|浏览量|訪問次數|访问次数|"
    r"閱讀|阅读|點擊|点击)\s*[:：]\s*(?P<value>[^|｜\n]*?)(?=\s*(?:[|｜]|\s{2,}|$|"
    r"(?:發布時間|发布时间|信息來源|信息来源|來源|来源|編輯|编辑|作者|瀏覽量|浏览量|訪問次數|访问次数)\s*[:：]))"
)
FOOTER_LINE = re.compile(
    r"^\s*(?:\[\s*)?(?:責編|责编|責任編輯|责任编辑|編輯|编辑|來源|来源|校對|校对|審核|审核|監製|监制)\s*[:：]"
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
    f"^(?P<lead>(?:本報訊|本报讯|[{HAN}]{{2,12}}(?:客戶端|客户端|網|网|社|台)?\\d{{1,2}}月\\d{{1,2}}日(?:訊|讯|電|电))\\s*)"
    f"[(（](?P<who>[^()（）]{{2,40}})[)）]"
)
AUTHOR_LINE = re.compile(f"^\\s*[{HAN}]{{2,4}}(?:\\s+[{HAN}]{{2,4}}){{1,4}}\\s*$")
ORIGINAL_TITLE = re.compile(r"^\s*(?:原標題|原标题)\s*[:：].*$")
TOPIC_LINK = re.compile(r"^\s*(?:點擊進入專題|点击进入专题|點擊查看|点击查看).*$")
HTML_TAG = re.compile(r"<(?:script|style)[^>]*>.*?</(?:script|style)>|<[^>\n]{1,300}>", re.IGNORECASE | re.DOTALL)

# 4. whitespace
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
HORIZONTAL_SPACE = re.compile("[ \t\u00a0\u3000]+")
MANY_NEWLINES = re.compile(r"\n{3,}")
CJK_SPACE_CJK = re.compile(f"(?<=[{HAN}，。、；：！？“”])[ ]+(?=[{HAN}，。、；：！？“”])")

# dates in a file name: 20200131-02-06.txt, 2021-08-13_x.txt
FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)")
