"""Tables of the catalogue: the per-provider serials behind resource codes."""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta

serial_table = sa.Table(
    "govshare_resource_code_serial",
    meta.metadata,
    sa.Column("provider_code", sa.UnicodeText, primary_key=True),
    sa.Column("last_serial", sa.Integer, nullable=False),
    extend_existing=True,
)

_NEXT = sa.text(
    "INSERT INTO govshare_resource_code_serial AS s (provider_code, last_serial) "
    "VALUES (:provider, 1) ON CONFLICT (provider_code) "
    "DO UPDATE SET last_serial = s.last_serial + 1 RETURNING last_serial"
)


def next_serial(session: object, provider_code: str) -> int:
    """The provider's next serial, in the caller's transaction.

    The row stays locked until that transaction ends, so concurrent creations for one
    provider take turns and never share a serial; a rolled-back creation gives its serial
    back, a committed one keeps it for good (serials never go down).
    """
    return int(session.execute(_NEXT, {"provider": provider_code}).scalar())  # type: ignore[attr-defined]
