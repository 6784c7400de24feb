"""The feedback table (``govshare_feedback``), created by Alembic revision ``b7d41e9c3a25``.

On CKAN's metadata like the access tables; written through ``model.Session`` so that a row
commits with its audit event. The column names are the contract with the yearly report
(``/tmp/brief/tables-8.md``): keep them.
"""

from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta

FEEDBACK_TABLE = "govshare_feedback"

_tz = sa.DateTime(timezone=True)

feedback_table = sa.Table(
    FEEDBACK_TABLE,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("resource_id", sa.UnicodeText),
    sa.Column("data_item", sa.UnicodeText),
    # ``doubt`` (疑义) or ``error`` (错误).
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    sa.Column("attachment_name", sa.UnicodeText),
    sa.Column("attachment_size", sa.Integer),
    sa.Column("attachment_sha256", sa.UnicodeText),
    sa.Column("attachment_type", sa.UnicodeText),
    # The reporter and the department they reported for.
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    # The entry's owner when the feedback was made: it verifies (art. 15).
    sa.Column("provider_org_id", sa.UnicodeText, nullable=False),
    # ``open`` or ``resolved``.
    sa.Column("state", sa.UnicodeText, nullable=False),
    sa.Column("created", _tz, nullable=False),
    # Local date (Asia/Shanghai) by which the provider answers.
    sa.Column("due_date", sa.Date, nullable=False),
    # Set by ``ckan govshare remind`` once past due and still open.
    sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
    # ``corrected`` or ``confirmed_correct``.
    sa.Column("resolution", sa.UnicodeText),
    sa.Column("explanation", sa.UnicodeText),
    sa.Column("resolved_by", sa.UnicodeText),
    sa.Column("resolved_at", _tz),
    extend_existing=True,
)
sa.Index("govshare_feedback_provider_idx", feedback_table.c.provider_org_id, feedback_table.c.state)
sa.Index("govshare_feedback_package_idx", feedback_table.c.package_id, feedback_table.c.state)
