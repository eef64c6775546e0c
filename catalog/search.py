"""Search by everyday words (issue 8): text analysis and ranking, without the database.

People look for a service by what they want done (开饭店, 提公积金), by the document they will
get (营业执照), by pinyin or initials typed on a kiosk keyboard (yingyezhizhao, yyzz) and with
typos. ``document_terms`` turns a guide version into its search terms: per field, the phrases
(the text between punctuation), the words Chinese segmentation finds in them, and the pinyin
and initials of each. ``SearchIndex`` holds the terms of every indexed version in memory and
ranks them for a query. The database side (storing the terms, loading the index, keeping it
fresh) is in ``catalog.services`` and ``catalog.selectors``; docs/search.md explains the whole.

Ranking: every field has a weight (name > alias > result > material > other keywords); a query
word matches a term exactly, inside a longer term, by sound (same pinyin: the usual typo of a
pinyin input method), or with one character or letter wrong, each at a lower quality. A query is
scored twice, word by word (weighted by how rare each word is) and as one phrase, and keeps the
better score; results far below the best one are dropped, so a form that asks for an ID card
does not bury the ID card's own service.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Bump when ``document_terms`` changes what it stores: documents of another analyser are ignored
# until ``manage.py search_rebuild`` (or the nightly job) rewrites them. 2: the English fields.
ANALYSER = 2

# The cache key whose value changes whenever search documents change; every process reloads its
# index when it sees a new value.
GENERATION_KEY = "catalog:search:generation"

FIELD_WEIGHTS: dict[str, float] = {"name": 10.0, "alias": 8.0, "result": 6.0, "material": 3.0, "keyword": 2.0}
FIELDS = tuple(FIELD_WEIGHTS)
# A term found in several fields of one guide counts its best field fully and the others a little.
OTHER_FIELDS_SHARE = 0.1
# A word inside a longer phrase ("营业执照" in the alias "变更营业执照") counts a little less
# than a phrase that is the whole alias, name or material.
INSIDE_PHRASE = 0.9
# Guides that match the query's words only apart ("生" in 中小学生, "孩子" in 孩子转学) when
# others match the query as a whole ("生孩子") keep this share of their score.
SCATTERED = 0.5
# A word the segmenter found inside another word of the query ("驾驶" of 驾驶证) weighs this much.
SUBWORD = 0.5

# Match qualities, multiplied by the field weight.
EXACT = 1.0
INITIALS = 0.9
CONTAINED = 0.85
STEM = 0.85  # another form of an English word (withdrawn, withdrawal)
HOMOPHONE = 0.8
PINYIN_PREFIX = 0.75
PINYIN_INSIDE = 0.7
TYPO = 0.6
PINYIN_TYPO = 0.55
SINGLE_CHARACTER = 0.5

# A result must score at least this (a keyword's weight, about) and at least this share of the
# best result's score.
MIN_SCORE = 1.5
RELATIVE_CUTOFF = 0.55
MAX_RESULTS = 500

# Words people wrap around what they want ("我想开饭店", "生孩子要办什么"): removed before
# segmenting, longest first.
FILLER_PHRASES = sorted(
    "我想 我要 想要 需要 要办 要交 怎么办 怎么样 怎么 怎样 如何 什么 哪些 哪里 哪儿 在哪 去哪 请问 "
    "帮我 办理 手续 流程 一下 可以 能不能 相关 业务 事项 在线 网上 申请".split(),
    key=len,
    reverse=True,
)
# Single words that say nothing about the service, dropped after segmenting.
STOPWORDS = frozenset(
    "我 你 要 想 办 弄 搞 的 了 吗 呢 啊 吧 呀 去 在 到 给 个 和 与 及 或 有 是 哪 能 把 让 怎 么 啥".split()
)
# English words that say nothing about the service ("how do I apply for a passport"), dropped
# from English text and queries alike (so "Application for legal aid" is "legal aid").
ENGLISH_STOPWORDS = frozenset(
    "a an the of for and to in on by or with my i me how do does get want need can is are be am it its "
    "what where when which who apply application please from at as our your you".split()
)
# American spellings to the British ones of the guides ("driver's license" finds the licence).
ENGLISH_SPELLINGS = {"license": "licence", "center": "centre", "organization": "organisation", "macau": "macao"}

# Everyday words the segmenter's dictionary lacks or splits apart; phrases of the catalog are
# indexed whole anyway, this makes a query segment the same way.
DOMAIN_WORDS = (
    "社保 社保卡 医保 医保卡 公积金 营业执照 签注 港澳通行证 台湾通行证 通行证 不动产 不动产权证书 二手房 网约车 "
    "低保 个税 身份证 户口本 户口簿 结婚证 离婚证 驾驶证 驾照 行驶证 护照 出生证 出生医学证明 准生证 退休金 "
    "养老金 失业金 生育津贴 房产证 教师资格证 开饭店 开餐馆 开公司 开店 提公积金 异地就医 清税证明 完税证明"
).split()

# Formal words of guides and the everyday words for them: a guide whose result is 不动产权证书
# is found by 房产证. Added to the field the formal word is in (docs/search.md).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "不动产权证书": ("房产证", "房本"),
    "房地产权证": ("房产证",),
    "驾驶证": ("驾照",),
    "户口簿": ("户口本",),
    "社会保险": ("社保",),
    "社会保障卡": ("社保卡",),
    "医疗保险": ("医保",),
    "医保": ("医疗保险",),
    "出生医学证明": ("出生证",),
    "基本养老金": ("退休金",),
    "养老保险待遇": ("养老金",),
    "失业保险金": ("失业金",),
    "个人所得税": ("个税",),
    "最低生活保障": ("低保",),
    "网络预约出租汽车": ("网约车",),
    "存量房": ("二手房",),
    "号牌": ("车牌",),
    "医师": ("医生",),
    "教师": ("老师",),
}


def synonym_map(groups: Iterable[Sequence[str]] = ()) -> dict[str, tuple[str, ...]]:
    """``SYNONYMS`` and the administrators' groups of words meaning one thing
    (``SearchSynonym``): each word of a group leads to the others, both ways (户籍 ↔ 户口)."""
    merged = {formal: list(everyday) for formal, everyday in SYNONYMS.items()}
    for group in groups:
        words = list(dict.fromkeys(normalise(word).strip() for word in group if has_han(word)))
        for word in words:
            others = merged.setdefault(word, [])
            others += [other for other in words if other != word and other not in others]
    return {word: tuple(others) for word, others in merged.items() if others}


# The groups of words meaning one thing that a new installation starts with (a data migration
# writes them; the demo loader makes sure of them): administrators edit them in the admin.
DEFAULT_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("户籍", "户口"),
    ("营业执照", "工商登记"),
    ("社保", "社会保险"),
    ("公积金", "住房公积金"),
    ("身份证", "居民身份证"),
)

_SEPARATORS = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
# Where an English text breaks into phrases: punctuation other than a hyphen or an apostrophe.
_ENGLISH_BREAKS = re.compile(r"[^0-9a-z\s'’-]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_ASCII_WORD = re.compile(r"[a-z]+")
_CODE = re.compile(r"[0-9]{2,10}")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def is_code_query(query: str) -> bool:
    """Digits only: the start of an item code, matched as before (``0600…``)."""
    return bool(_CODE.fullmatch(normalise(query).strip().rstrip(".…")))


# --- Segmentation and pinyin ------------------------------------------------------------------

_segmenter_lock = threading.Lock()
_segmenter: Any = None


def _jieba() -> Any:
    """The segmenter, made on first use (it loads its dictionary, about 0.2 s)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import rjieba

                segmenter = rjieba.Jieba()
                for word in DOMAIN_WORDS:
                    segmenter.add_word(word, None, None)
                _segmenter = segmenter
    return _segmenter


def segment(text: str) -> list[str]:
    """The words of ``text`` (precise mode)."""
    return [w for w in _jieba().cut(text, True) if w.strip()]


def segment_for_search(text: str) -> list[str]:
    """The words of ``text`` and the shorter words inside long ones (搜索引擎模式)."""
    return [w for w in _jieba().cut_for_search(text, True) if w.strip()]


@lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """The pinyin syllables of ``text``, without tones; other characters kept as they are."""
    from pypinyin import lazy_pinyin

    return tuple(s for s in (_SEPARATORS.sub("", syllable.lower()) for syllable in lazy_pinyin(text)) if s)


def pinyin(text: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials) of ``text``."""
    parts = syllables(text)
    return "".join(parts), "".join(part[0] for part in parts)


def english_words(text: str) -> list[str]:
    """The words of an English text that say something, singular, in British spelling."""
    words = [w for w in _ASCII_WORD.findall(normalise(text)) if len(w) >= 2 and w not in ENGLISH_STOPWORDS]
    return [ENGLISH_SPELLINGS.get(word, word) for word in map(_singular, words)]


def same_stem(a: str, b: str) -> bool:
    """Whether two English words are forms of one word (withdrawal, withdrawn; register,
    registration; marriage, married; open, opening): a common start of four letters or more
    (five when both go on: not region for register) that leaves at most two letters of the
    shorter word and six of the longer. No stemmer: this is enough for guide vocabulary."""
    if a == b:
        return True
    shorter, longer = sorted((len(a), len(b)))
    common = 0
    while common < shorter and a[common] == b[common]:
        common += 1
    if common < 4 or shorter - common > 2 or longer - common > 6:
        return False
    return common == shorter or common >= 5


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# --- Documents --------------------------------------------------------------------------------

# A stored term: [text, pinyin syllables joined by spaces, initials, is_phrase (1/0)].
Term = list[Any]


def _term(text: str, is_phrase: bool) -> Term:
    parts = syllables(text)
    return [text, " ".join(parts), "".join(part[0] for part in parts), int(is_phrase)]


def _english_terms_of(texts: Iterable[str]) -> list[Term]:
    """English text: each phrase (between punctuation) as its words joined by spaces, and each
    word; no pinyin (the stored pinyin and initials are blank)."""
    found: dict[str, Term] = {}
    for text in texts:
        for phrase in _ENGLISH_BREAKS.split(normalise(text)):
            words = english_words(phrase)
            if not words:
                continue
            joined = " ".join(words)
            found[joined] = [joined, "", "", 1]
            for word in words:
                found.setdefault(word, [word, "", "", 0])
    return list(found.values())


def _terms_of(texts: Iterable[str], synonyms: Mapping[str, Sequence[str]] = SYNONYMS) -> list[Term]:
    found: dict[str, Term] = {}

    def add(text: str, is_phrase: bool) -> None:
        if text not in found or (is_phrase and not found[text][3]):
            found[text] = _term(text, is_phrase)

    for text in texts:
        for phrase in _SEPARATORS.split(normalise(text)):
            if not has_han(phrase):
                continue  # codes, numbers and Latin letters inside Chinese text say little
            add(phrase, True)
            for word in segment_for_search(phrase):
                if len(word) >= 2 and has_han(word):
                    add(word, False)
            for formal, everyday in synonyms.items():
                if formal in phrase:
                    for word in everyday:
                        add(word, phrase == formal)
    return list(found.values())


def document_terms(
    *,
    name: str,
    name_en: str = "",
    aliases: Sequence[str] = (),
    aliases_en: Sequence[str] = (),
    result: str = "",
    result_en: str = "",
    materials: Sequence[str] = (),
    materials_en: Sequence[str] = (),
    keywords: Sequence[str] = (),
    keywords_en: Sequence[str] = (),
    synonyms: Mapping[str, Sequence[str]] = SYNONYMS,
) -> dict[str, list[Term]]:
    """The search terms of one guide version, per field (what ``GuideSearchDocument`` stores):
    the Chinese text and its English twin in the same field, ranked alike. ``synonyms`` (from
    ``synonym_map``) adds the other words of a word found in a field to that field."""
    terms = {
        "name": _terms_of([name], synonyms),
        "alias": _terms_of(aliases, synonyms),
        "result": _terms_of([result], synonyms),
        "material": _terms_of(materials, synonyms),
        "keyword": _terms_of(keywords, synonyms),
    }
    english = {
        "name": [name_en],
        "alias": aliases_en,
        "result": [result_en],
        "material": materials_en,
        "keyword": keywords_en,
    }
    for field, texts in english.items():
        seen = {t[0] for t in terms[field]}
        terms[field] += [term for term in _english_terms_of(texts) if term[0] not in seen]
    return terms


# --- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    units: tuple[str, ...]  # words to match one by one
    phrase: str  # the whole query without filler, matched as one unit ("" when it is a unit already)
    parts: tuple[str, ...] = ()  # runs of two or more of its words, shorter than the whole ("上户口")
    english_phrase: str = ""  # English words joined by spaces, two or more ("housing fund withdrawal")
    english_parts: tuple[str, ...] = ()  # runs of two or more of them, shorter than the whole

    @property
    def empty(self) -> bool:
        return not self.units and not self.phrase

    @property
    def phrases(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each whole-query phrase with its runs of words: Chinese or pinyin, and English."""
        return tuple(
            (phrase, parts)
            for phrase, parts in ((self.phrase, self.parts), (self.english_phrase, self.english_parts))
            if phrase
        )


@lru_cache(maxsize=4096)
def parse_query(query: str) -> ParsedQuery:
    text = normalise(query)
    han_text = "".join(_SEPARATORS.split(text))
    if has_han(text):
        stripped = text
        for filler in FILLER_PHRASES:
            stripped = stripped.replace(filler, " ")
        if not "".join(_SEPARATORS.split(stripped)):
            stripped = text  # nothing but filler: search for it as typed
        words = [w for w in segment_for_search(stripped) if not _SEPARATORS.fullmatch(w)]
        han_words = [w for w in words if has_han(w)]
        kept = [w for w in han_words if w not in STOPWORDS] or han_words
        latin = [_singular(w) for w in words if not has_han(w) and w.isalpha() and len(w) >= 2]
        units = tuple(dict.fromkeys([*kept, *latin]))
        core_words = [
            w for w in segment(stripped) if has_han(w) and w not in STOPWORDS and not _SEPARATORS.fullmatch(w)
        ][:8]
        core = "".join(core_words)
        phrase = core if len(core) >= 2 and units != (core,) else ""
        n = len(core_words)
        parts = tuple(
            dict.fromkeys(
                "".join(core_words[start : start + size])
                for size in range(n - 1, 1, -1)
                for start in range(n - size + 1)
            )
        )
        return ParsedQuery(units, phrase, parts if phrase else ())
    # Latin letters: English words (also as one phrase) and, all letters together, pinyin
    # (spaces or not).
    english = tuple(dict.fromkeys(english_words(text)))
    letters = "".join(_ASCII_WORD.findall(han_text))
    n = len(english)
    english_parts = tuple(
        " ".join(english[start : start + size]) for size in range(n - 1, 1, -1) for start in range(n - size + 1)
    )
    return ParsedQuery(
        english,
        letters if len(letters) >= 2 and english != (letters,) else "",
        english_phrase=" ".join(english) if n >= 2 else "",
        english_parts=english_parts,
    )


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with at most one character replaced, added or removed."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


# --- The index --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedVersion:
    version_id: int
    item_id: int
    code: str
    effective_from: dt.date
    number: int


@dataclass(frozen=True)
class Hit:
    version_id: int
    score: float


class SearchIndex:
    """The terms of the indexed guide versions, arranged for lookup; immutable once built."""

    def __init__(self, documents: Iterable[tuple[IndexedVersion, Mapping[str, list[Term]]]], generation: str = ""):
        self.generation = generation
        self.versions: dict[int, IndexedVersion] = {}
        # term -> {version id: weight}; character -> {version id: weight}
        self.postings: dict[str, dict[int, float]] = {}
        self.characters: dict[str, dict[int, float]] = {}
        self.by_pinyin: dict[str, set[str]] = defaultdict(set)
        self.by_initials: dict[str, set[str]] = defaultdict(set)
        self.by_bigram: dict[str, set[str]] = defaultdict(set)
        self.by_length: dict[int, set[str]] = defaultdict(set)  # Chinese terms by length (typos)
        self.pinyin_by_length: dict[int, set[str]] = defaultdict(set)  # pinyin by length (typos)
        self.phrase_pinyins: dict[str, tuple[str, frozenset[int]]] = {}  # phrase -> (pinyin, syllable starts)
        self.english_words: set[str] = set()  # English single words (stems, typos)
        self.english_phrases: dict[str, set[str]] = defaultdict(set)  # English word -> phrases holding it
        for version, fields in documents:
            self._add(version, fields)
        self._sorted_pinyins = sorted(self.by_pinyin)
        self._sorted_english = sorted(self.english_words)
        self._current: dict[dt.date, frozenset[int]] = {}
        self._expansions: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.versions)

    def _add(self, version: IndexedVersion, fields: Mapping[str, list[Term]]) -> None:
        self.versions[version.version_id] = version
        term_fields: dict[str, dict[str, float]] = defaultdict(dict)
        char_fields: dict[str, dict[str, float]] = defaultdict(dict)
        for field in FIELDS:
            for text, spaced, initials, is_phrase in fields.get(field, ()):
                full = spaced.replace(" ", "")
                weight = FIELD_WEIGHTS[field] * (1.0 if is_phrase else INSIDE_PHRASE)
                term_fields[text][field] = max(weight, term_fields[text].get(field, 0.0))
                if not has_han(text):
                    self._add_english(text)
                    continue
                if is_phrase:
                    for char in text:
                        char_fields[char][field] = FIELD_WEIGHTS[field]
                if full:
                    self.by_pinyin[full].add(text)
                    self.pinyin_by_length[len(full)].add(full)
                    if is_phrase and text not in self.phrase_pinyins:
                        self.phrase_pinyins[text] = (full, _syllable_starts(spaced))
                if initials and len(initials) >= 2 and (is_phrase or len(text) >= 3):
                    # Two letters of a word inside a name (sb: 设备) are mostly noise; of a whole
                    # phrase (sb: 社保, an alias) they are what a kiosk user types.
                    self.by_initials[initials].add(text)
                if has_han(text):
                    self.by_length[len(text)].add(text)
                    for bigram in _bigrams(text):
                        self.by_bigram[bigram].add(text)
        for text, found in term_fields.items():
            self.postings.setdefault(text, {})[version.version_id] = _weight(found)
        for char, found in char_fields.items():
            self.characters.setdefault(char, {})[version.version_id] = _weight(found)

    def _add_english(self, text: str) -> None:
        words = text.split()
        if len(words) == 1:
            self.english_words.add(text)
        else:
            for word in words:
                self.english_phrases[word].add(text)

    # --- Which versions are current ---

    def current(self, today: dt.date) -> frozenset[int]:
        """The indexed version of each item in effect on ``today`` (as ``GuideVersionQuerySet.current``)."""
        found = self._current.get(today)
        if found is None:
            best: dict[int, IndexedVersion] = {}
            for v in self.versions.values():
                if v.effective_from <= today:
                    held = best.get(v.item_id)
                    if held is None or (v.effective_from, v.number) > (held.effective_from, held.number):
                        best[v.item_id] = v
            found = frozenset(v.version_id for v in best.values())
            with self._lock:
                if len(self._current) > 4:
                    self._current.clear()
                self._current[today] = found
        return found

    # --- Matching one unit of a query ---

    def expand(self, unit: str, *, english_forms: bool = True) -> dict[str, float]:
        """The terms ``unit`` matches, with the quality of each match (memoised). Without
        ``english_forms``, letters are not read as an English word with other forms or a typo:
        the letters of a whole query run together are pinyin ("legalaid" is not "legal")."""
        key = unit if english_forms or has_han(unit) else f"{unit}/pinyin"
        found = self._expansions.get(key)
        if found is None:
            if " " in unit:
                found = self._expand_english_phrase(unit)
            elif has_han(unit):
                found = self._expand_han(unit)
            else:
                found = self._expand_latin(unit, english_forms=english_forms)
            with self._lock:
                if len(self._expansions) > 4096:
                    self._expansions.clear()
                self._expansions[key] = found
        return found

    def _expand_han(self, unit: str) -> dict[str, float]:
        found: dict[str, float] = {}

        def offer(term: str, quality: float) -> None:
            if quality > found.get(term, 0.0):
                found[term] = quality

        if unit in self.postings:
            offer(unit, EXACT)
        bigrams = _bigrams(unit)
        if bigrams:
            pools = sorted((self.by_bigram.get(b, set()) for b in bigrams), key=len)
            for term in pools[0].intersection(*pools[1:]):
                if unit in term:
                    offer(term, CONTAINED)
        full, _initials = pinyin(unit)
        for term in self.by_pinyin.get(full, ()):
            offer(term, HOMOPHONE)
        if found:
            return found
        if len(unit) >= 3:
            for length in (len(unit) - 1, len(unit), len(unit) + 1):
                for term in self.by_length.get(length, ()):
                    if within_one_edit(unit, term):
                        offer(term, TYPO)
        if len(full) >= 6:
            for typed in self._pinyin_typos(full):
                for term in self.by_pinyin[typed]:
                    offer(term, PINYIN_TYPO)
        return found

    def _expand_latin(self, unit: str, *, english_forms: bool = True) -> dict[str, float]:
        found: dict[str, float] = {}

        def offer(term: str, quality: float) -> None:
            if quality > found.get(term, 0.0):
                found[term] = quality

        if unit in self.postings:  # an English word
            offer(unit, EXACT)
        if english_forms:
            self._expand_english_word(unit, offer)
        for term in self.by_pinyin.get(unit, ()):
            offer(term, EXACT)
        for term in self.by_initials.get(unit, ()):
            offer(term, INITIALS)
        if len(unit) >= 4:
            position = bisect_left(self._sorted_pinyins, unit)
            while position < len(self._sorted_pinyins) and self._sorted_pinyins[position].startswith(unit):
                for term in self.by_pinyin[self._sorted_pinyins[position]]:
                    offer(term, PINYIN_PREFIX)
                position += 1
        if len(unit) >= 6:
            # Whole syllables inside a phrase's pinyin: "shebaoka" is in 社保卡补办, not in
            # danwei-shebao-kaihu (单位社保开户).
            for phrase, (full, starts) in self.phrase_pinyins.items():
                at = full.find(unit)
                while at != -1:
                    if at in starts and at + len(unit) in starts:
                        offer(phrase, PINYIN_INSIDE)
                        break
                    at = full.find(unit, at + 1)
        if not found and len(unit) >= 5:
            for typed in self._pinyin_typos(unit):
                for term in self.by_pinyin[typed]:
                    offer(term, PINYIN_TYPO)
        return found

    def _expand_english_word(self, unit: str, offer: Callable[[str, float], None]) -> None:
        """Other forms of an English word (withdrawn for withdrawal), or, when there is none, a
        word one letter off (pasport)."""
        if len(unit) < 4:
            return
        position = bisect_left(self._sorted_english, unit[:4])
        related = False
        while position < len(self._sorted_english) and self._sorted_english[position].startswith(unit[:4]):
            word = self._sorted_english[position]
            if word != unit and same_stem(unit, word):
                offer(word, STEM)
                related = True
            position += 1
        if related or unit in self.english_words or len(unit) < 5:
            return
        for word in self.english_words:
            if abs(len(word) - len(unit)) <= 1 and within_one_edit(unit, word):
                offer(word, TYPO)

    def _expand_english_phrase(self, phrase: str) -> dict[str, float]:
        """English phrases: the same phrase, or a longer one holding its words in that order."""
        found = {phrase: EXACT} if phrase in self.postings else {}
        pools = sorted((self.english_phrases.get(word, set()) for word in phrase.split()), key=len)
        padded = f" {phrase} "
        for term in pools[0].intersection(*pools[1:]):
            if term != phrase and padded in f" {term} ":
                found[term] = CONTAINED
        return found

    def _pinyin_typos(self, typed: str) -> list[str]:
        n = len(typed)
        return [
            candidate
            for length in (n - 1, n, n + 1)
            for candidate in self.pinyin_by_length.get(length, ())
            if candidate != typed and within_one_edit(typed, candidate)
        ]

    def _scores(
        self, unit: str, current: frozenset[int], min_quality: float = 0.0, *, english_forms: bool = True
    ) -> dict[int, float]:
        """Each current version's best score for ``unit``: match quality × field weight."""
        scores: dict[int, float] = {}
        if len(unit) == 1 and has_han(unit):
            for version_id, weight in self.characters.get(unit, {}).items():
                if version_id in current:
                    scores[version_id] = SINGLE_CHARACTER * weight
            return scores
        for term, quality in self.expand(unit, english_forms=english_forms).items():
            if quality < min_quality:
                continue
            for version_id, weight in self.postings.get(term, {}).items():
                if version_id in current:
                    score = quality * weight
                    if score > scores.get(version_id, 0.0):
                        scores[version_id] = score
        return scores

    # --- Ranking ---

    def search(self, query: str, *, today: dt.date) -> list[Hit]:
        """The current versions matching ``query``, best first."""
        parsed = parse_query(query)
        if parsed.empty or not self.versions:
            return []
        current = self.current(today)
        n = len(current) or 1
        totals: dict[int, float] = defaultdict(float)
        weight_sum = 0.0
        multi_char = [u for u in parsed.units if len(u) > 1 or not has_han(u)]
        strong: set[int] = set()  # matched by a word of two characters or more, or the phrase
        for unit in parsed.units:
            scores = self._scores(unit, current)
            weight = math.log(1 + n / (len(scores) + 0.5))
            if any(unit != other and unit in other for other in parsed.units):
                weight *= SUBWORD
            if len(unit) == 1 and has_han(unit):
                weight *= 0.5  # one character says little on its own ("提" of 提公积金)
            elif scores:
                strong.update(scores)
            weight_sum += weight
            for version_id, score in scores.items():
                totals[version_id] += weight * score
        ranked = {version_id: total / weight_sum for version_id, total in totals.items()} if weight_sum else {}
        # The whole query as one phrase (Chinese or pinyin; English); when nowhere found as such,
        # its runs of words ("上户口" of 小孩上户口, "id card" of "lost id card"), each worth its
        # share of the query (typos only for the whole).
        whole: dict[int, float] = {}
        found_whole = False
        for phrase, parts in parsed.phrases:
            english = " " in phrase  # else Chinese, or letters run together as pinyin
            for version_id, score in self._scores(phrase, current, english_forms=english).items():
                whole[version_id] = max(whole.get(version_id, 0.0), score)
            found = any(quality >= HOMOPHONE for quality in self.expand(phrase, english_forms=english).values())
            for part in () if found else parts:
                share = len(part) / len(phrase)
                for version_id, score in self._scores(part, current, min_quality=HOMOPHONE).items():
                    found = True
                    whole[version_id] = max(whole.get(version_id, 0.0), score * share)
            found_whole = found_whole or found
        if found_whole:
            ranked = {v: score if v in whole else score * SCATTERED for v, score in ranked.items()}
        for version_id, score in whole.items():
            strong.add(version_id)
            if score > ranked.get(version_id, 0.0):
                ranked[version_id] = score
        if multi_char or parsed.phrases:
            ranked = {version_id: score for version_id, score in ranked.items() if version_id in strong}
        if not ranked:
            return []
        floor = max(MIN_SCORE, RELATIVE_CUTOFF * max(ranked.values()))
        hits = [Hit(version_id, round(score, 4)) for version_id, score in ranked.items() if score >= floor]
        hits.sort(key=lambda hit: (-hit.score, self.versions[hit.version_id].code))
        return hits[:MAX_RESULTS]


def _syllable_starts(spaced: str) -> frozenset[int]:
    """Where each syllable starts (and the last ends) in the pinyin without spaces."""
    starts, at = {0}, 0
    for syllable in spaced.split():
        at += len(syllable)
        starts.add(at)
    return frozenset(starts)


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _weight(fields: dict[str, float]) -> float:
    weights = sorted(fields.values(), reverse=True)
    return weights[0] + OTHER_FIELDS_SHARE * sum(weights[1:])
