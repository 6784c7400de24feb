"""The analyser that both documents and queries go through."""

import pytest

from ckanext.govshare.search import analysis

pytestmark = pytest.mark.unit


def test_chinese_runs_become_bigrams_and_documents_keep_characters():
    terms = analysis.index_terms(["人口基础信息"])
    assert {"人口", "口基", "基础", "础信", "信息"} <= set(terms)
    assert {"人", "口"} <= set(terms)


def test_query_of_two_characters_is_one_bigram():
    assert analysis.query_terms("人口") == ["人口"]


def test_query_of_one_character_stays_whole():
    assert analysis.query_terms("税") == ["税"]


def test_english_is_lowercased_and_stemmed_like_solr():
    assert analysis.query_terms("Populations") == analysis.query_terms("population")
    assert analysis.query_terms("Populations") == ["popul"]


def test_mixed_text_and_full_width_forms():
    # Full-width Latin letters and digits fold to their ASCII forms (NFKC), as CJKWidthFilter.
    assert analysis.query_terms("ＧＤＰ２０２６年") == ["gdp2026", "年"]


def test_accents_fold_to_ascii():
    assert analysis.query_terms("Café") == analysis.query_terms("cafe")


def test_punctuation_yields_no_terms():
    assert analysis.query_terms("，。！") == []
    assert analysis.index_terms([None, "", "、"]) == []
