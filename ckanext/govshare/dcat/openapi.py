"""The service interface described for machines: an OpenAPI 3.0 document (issue 20, item 2).

The export's ``dcat:DataService`` of a served resource names it as its
``dcat:endpointDescription`` (DCAT-AP 3 § Data Service: "a description of the services
available via the end-points, including their operations, parameters etc."), so a client found
through an upper platform's catalogue learns how to call query (联机查询) and
query-and-verify (查询核验) (2025 Regulations art. 22; 2016 Measures art. 12) without reading
the docs. It describes the calls only: the paths, the bearer token, the parameters and their
bounds (``interface.rules``), the answers and the refusals. Which data items a resource serves
is in its DataService; no token, grant or value of any data is in this document.

Plain Python: the document is a dict built from the interface's own bounds.
"""

from __future__ import annotations

from typing import Any

from ..interface import rules

PATH = "/govshare/interface/openapi.json"
VERSION = "1.0.0"


def _text(en: str, zh: str) -> str:
    return f"{en} | {zh}"


_REFUSAL = {
    "type": "object",
    "required": ["reason", "message", "message_en", "message_zh"],
    "properties": {
        "reason": {"type": "string"},
        "message": {"type": "string"},
        "message_en": {"type": "string"},
        "message_zh": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _refusals() -> dict[str, Any]:
    ref = {"$ref": "#/components/responses/Refusal"}
    return {"401": ref, "403": ref, "404": ref, "409": ref, "429": ref}


def _resource_id() -> dict[str, Any]:
    return {
        "name": "resource_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": _text("The resource's id", "资源标识"),
    }


def _query_parameters(max_limit: int) -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], en: str, zh: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema, "description": _text(en, zh)}

    return [
        _resource_id(),
        query(
            "fields",
            {"type": "string"},
            f"Comma-separated granted columns, at most {rules.MAX_FIELDS}; default every "
            "granted column",
            f"以逗号分隔的授权列，不超过{rules.MAX_FIELDS}个；默认全部授权列",
        ),
        query(
            "filters",
            {"type": "string"},
            f"JSON object: column → a value or a list of at most {rules.MAX_FILTER_VALUES} "
            f"values, at most {rules.MAX_FILTER_COLUMNS} columns (equality)",
            f"JSON对象：列名 → 一个取值或不超过{rules.MAX_FILTER_VALUES}个取值的列表，"
            f"不超过{rules.MAX_FILTER_COLUMNS}列（等值匹配）",
        ),
        query(
            "q",
            {"type": "string", "maxLength": rules.MAX_Q},
            "Text searched in the granted columns",
            "在授权列中检索的文本",
        ),
        query(
            "sort",
            {"type": "string"},
            f'"col desc, col2": at most {rules.MAX_SORT} columns',
            f"“列 desc, 列2”：不超过{rules.MAX_SORT}列",
        ),
        query(
            "limit",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": max_limit,
                "default": rules.DEFAULT_LIMIT,
            },
            "Rows per page",
            "每页行数",
        ),
        query(
            "offset",
            {"type": "integer", "minimum": 0},
            "Rows to skip (not with cursor)",
            "跳过的行数（不与cursor同用）",
        ),
        query(
            "cursor",
            {"type": "string", "maxLength": rules.MAX_CURSOR},
            "The next of the page before",
            "上一页返回的next",
        ),
    ]


def document(site: str, max_limit: int) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the platform at ``site`` (its ``ckan.site_url``)."""
    scalar = {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": _text("Service interface", "服务接口"),
            "version": VERSION,
            "description": _text(
                "Online query and query-and-verify of a resource's table, cut to the caller's "
                "grant (2025 Regulations art. 22, 25). Apply for a grant on the entry's request "
                "page; a token of the grant is sent as a bearer token, never in the address.",
                "对资源数据表的联机查询和查询核验，按调用方授权范围裁剪（《政务数据共享条例》"
                "第二十二条、第二十五条）。请在信息资源的申请页面申请授权；调用时以Bearer方式携带授权令牌，"
                "不得放在地址中。",
            ),
        },
        "servers": [{"url": site}],
        "security": [{"grantToken": []}],
        "paths": {
            "/govshare/query/{resource_id}": {
                "get": {
                    "operationId": "query",
                    "summary": _text("Online query", "联机查询"),
                    "parameters": _query_parameters(max_limit),
                    "responses": {
                        "200": {
                            "description": _text("One page of rows", "一页数据行"),
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Page"}
                                }
                            },
                        },
                        **_refusals(),
                    },
                }
            },
            "/govshare/verify/{resource_id}": {
                "post": {
                    "operationId": "verify",
                    "summary": _text("Query and verify", "查询核验"),
                    "description": _text(
                        "For grants whose purpose is data verification; answers whether a row "
                        "matches, never a value",
                        "仅限用途为数据校核的授权；只答复是否匹配，不返回任何取值",
                    ),
                    "parameters": [_resource_id()],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["match_on", "check"],
                                    "properties": {
                                        "match_on": {
                                            "type": "object",
                                            "maxProperties": rules.MAX_MATCH_ON,
                                            "minProperties": 1,
                                            "additionalProperties": scalar,
                                        },
                                        "check": {
                                            "type": "object",
                                            "maxProperties": rules.MAX_CHECK,
                                            "minProperties": 1,
                                            "additionalProperties": {**scalar, "nullable": True},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": _text("The verification", "核验结果"),
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Verification"}
                                }
                            },
                        },
                        **_refusals(),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "grantToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _text(
                        "A token taken on a live grant (govshare_token_create)",
                        "在有效授权上申领的令牌（govshare_token_create）",
                    ),
                }
            },
            "schemas": {
                "Page": {
                    "type": "object",
                    "required": ["fields", "records", "total", "next"],
                    "properties": {
                        "fields": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "type": {"type": "string"},
                                },
                            },
                        },
                        "records": {"type": "array", "items": {"type": "object"}},
                        "total": {"type": "integer"},
                        "next": {"type": "string", "nullable": True},
                    },
                },
                "Verification": {
                    "type": "object",
                    "required": ["found", "match", "mismatched"],
                    "properties": {
                        "found": {"type": "boolean"},
                        "match": {"type": "boolean"},
                        "mismatched": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "Refusal": _REFUSAL,
            },
            "responses": {
                "Refusal": {
                    "description": _text(
                        "Refused: 401 no token, 403 outside the grant, 404 no table, 409 bad "
                        "input, 429 the daily quota used up (Retry-After)",
                        "拒绝：401无令牌，403超出授权，404无数据表，409输入有误，"
                        "429当日配额已用完（Retry-After）",
                    ),
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}
                    },
                }
            },
        },
    }
