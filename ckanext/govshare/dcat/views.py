"""What the DCAT export's IRIs point to on this platform: the share-type concept scheme (issue 7
item 1) and the service interface's OpenAPI description, each ``dcat:DataService``'s
``dcat:endpointDescription`` (issue 20 item 2)."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, Response

from ..core import config
from . import openapi, vocab
from .profile import site_url, vocabulary_base

vocabulary = Blueprint("govshare_vocabulary", __name__)


@functools.lru_cache(maxsize=4)
def _turtle(base: str) -> str:
    return vocab.scheme_graph(base).serialize(format="turtle")


@vocabulary.route("/govshare/vocabulary/share-type")
@vocabulary.route("/govshare/vocabulary/share-type.ttl")
def share_type() -> Response:
    return Response(_turtle(vocabulary_base()), content_type="text/turtle; charset=utf-8")


@vocabulary.route(openapi.PATH)
def interface_description() -> Response:
    """How to call the interface: the same for every reader (no entry, grant or data in it)."""
    body = json.dumps(
        openapi.document(site_url(), config.query_max_limit()), ensure_ascii=False, indent=1
    )
    response = Response(body, content_type="application/json; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
