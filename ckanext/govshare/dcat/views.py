"""The share-type concept scheme, served where its URIs point (issue 7 item 1)."""

from __future__ import annotations

import functools

from flask import Blueprint, Response

from . import vocab
from .profile import vocabulary_base

vocabulary = Blueprint("govshare_vocabulary", __name__)


@functools.lru_cache(maxsize=4)
def _turtle(base: str) -> str:
    return vocab.scheme_graph(base).serialize(format="turtle")


@vocabulary.route("/govshare/vocabulary/share-type")
@vocabulary.route("/govshare/vocabulary/share-type.ttl")
def share_type() -> Response:
    return Response(_turtle(vocabulary_base()), content_type="text/turtle; charset=utf-8")
