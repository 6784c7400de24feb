"""Text analysis for the embedded search backend.

Turns text into the index terms that full-text matching works on, the same way for documents
and for queries, so that a query term matches when the document contains it:

* Chinese, Japanese and Korean runs become overlapping character bigrams (as Solr's
  ``CJKBigramFilter``), so a two-character word such as 人口 matches inside 人口基础信息
  although no space separates words in Chinese. Documents also index single characters, so a
  one-character query (税) finds the titles that contain it.
* Other runs of letters and digits are lower-cased, folded to ASCII where they are Latin with
  accents, and stemmed with the Snowball English stemmer (as CKAN's Solr ``text`` field).

``docker/solr/schema.xml`` configures Solr's ``text`` field with the same steps, so both
backends find the same entries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

# Han (incl. extensions and compatibility ideographs), Hiragana, Katakana, Hangul.
_CJK = (
    "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)", re.UNICODE)
_CJK_RE = re.compile(rf"[{_CJK}]")

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _stemmer.stemWord(folded.lower())


def _cjk_terms(run: str, *, unigrams: bool) -> list[str]:
    if len(run) == 1:
        return [run]
    terms = [run[i : i + 2] for i in range(len(run) - 1)]
    if unigrams:
        terms.extend(run)
    return terms


def _terms(text: str, *, unigrams: bool) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    terms: list[str] = []
    for cjk, word in _TOKEN_RE.findall(text):
        if cjk:
            terms.extend(_cjk_terms(cjk, unigrams=unigrams))
        else:
            terms.append(_fold_word(word))
    return terms


def positioned_terms(text: str, *, unigrams: bool) -> tuple[list[tuple[str, int]], int]:
    """Terms of one value with their positions, and the number of positions it takes.

    As Solr's ``CJKBigramFilter`` with ``outputUnigrams``: the k-th bigram of a CJK run and
    its k-th character share position k, the run's last character takes the next one, so a
    run of n characters takes n positions. A phrase query analysed the same way keeps the
    same distances between its terms, which is how a phrase matches only contiguous text.
    """
    text = unicodedata.normalize("NFKC", text)
    out: list[tuple[str, int]] = []
    pos = 0
    for cjk, word in _TOKEN_RE.findall(text):
        if not cjk:
            out.append((_fold_word(word), pos))
            pos += 1
            continue
        if len(cjk) == 1:
            out.append((cjk, pos))
        else:
            out.extend((cjk[i : i + 2], pos + i) for i in range(len(cjk) - 1))
            if unigrams:
                out.extend((ch, pos + i) for i, ch in enumerate(cjk))
        pos += len(cjk)
    return out, pos


def phrase_terms(text: str) -> list[tuple[str, int]]:
    """The terms a phrase query must find at these relative positions (bigrams, a lone CJK
    character whole, as ``query_terms``)."""
    return positioned_terms(text, unigrams=False)[0]


def index_terms(values: Iterable[object], *, unigrams: bool = True) -> list[str]:
    """Distinct terms of every value, for storing in the index (order kept).

    ``unigrams=False`` leaves out the single characters of longer CJK runs (the ranking vector
    needs only what multi-character queries match).
    """
    seen: dict[str, None] = {}
    for value in values:
        if value is None or value == "":
            continue
        for term in _terms(str(value), unigrams=unigrams):
            seen.setdefault(term, None)
    return list(seen)


def query_terms(text: str) -> list[str]:
    """Terms a query word must all match (bigrams; a lone CJK character stays whole)."""
    seen: dict[str, None] = {}
    for term in _terms(text, unigrams=False):
        seen.setdefault(term, None)
    return list(seen)


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))
