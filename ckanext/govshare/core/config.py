"""Every ``ckanext.govshare.*`` option, read through one typed function each (issue 15, item 4).

Each option's default and type are written once, in ``config_declaration.yaml``. CKAN reads
that declaration when it loads the configuration: a missing option gets its declared default and
every value is converted by the declared type (``int``, ``bool``, ``list``) or validators
(``OneOf``, ``int_validator``), so ``tk.config[key]`` already holds the typed value and no
default is repeated here. A value that cannot be converted stops CKAN at start-up.

Code elsewhere calls these functions and never ``tk.config.get("ckanext.govshare...")``; a test
(``tests/core/test_config.py``) checks that every key here is declared and that each function
returns its declared type. Tests that override an option set the typed value
(``pytest.mark.ckan_config("ckanext.govshare.login.window", 60)``), as CKAN's own tests do.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

# --- the two bodies above the departments (workflows.md, "Roles") --------------------------


def authority_org() -> str:
    """Name of the sharing authority's organization (共享主管部门)."""
    return tk.config["ckanext.govshare.authority_org"]


def joint_conference_org() -> str:
    """Name of the joint conference's organization (部际联席会议)."""
    return tk.config["ckanext.govshare.joint_conference_org"]


# --- the catalogue and federation -----------------------------------------------------------


def public_catalogue() -> str:
    """Which entries anonymous visitors see: ``open_only``, ``all`` or ``none``."""
    return tk.config["ckanext.govshare.public_catalogue"]


def export_not_shared() -> bool:
    """Whether not-shared entries are part of the DCAT export."""
    return tk.config["ckanext.govshare.export_not_shared"]


def harvest_accounts() -> list[str]:
    """User names with which upper-level platforms harvest this one."""
    return tk.config["ckanext.govshare.harvest_accounts"]


def vocabulary_base_uri() -> str:
    """Base of the share-type concept scheme's URIs; empty: under ``ckan.site_url``."""
    return tk.config["ckanext.govshare.vocabulary_base_uri"]


# --- search ------------------------------------------------------------------------------------


def search_coded_facets() -> list[str]:
    """Fields, besides the catalogue's own facets, kept as integers by the search index."""
    # As declared (a list); as text where the declaration was not applied (CKAN 2.12's test
    # fixtures restore the configuration as read from the ini: tests/ckan_core).
    return tk.aslist(tk.config["ckanext.govshare.search.coded_facets"])


def search_cache_ttl() -> int:
    """Seconds a search answer is kept in Redis; 0 turns the cache off."""
    return tk.asint(tk.config["ckanext.govshare.search.cache_ttl"])


# --- deadlines (art. 8, 12, 15; workflows.md, "Deadlines and working days") ----------------


def rule_profile() -> str:
    """The rule profile in force: ``regulation-2025`` (default) or ``measures-2016``."""
    return tk.config["ckanext.govshare.rule_profile"]


def internal_signoff() -> str:
    """Whether drafted requests and answers wait for the head's sign-off (2025 art. 20):
    ``"true"``, ``"false"``, or empty: as the rule profile says."""
    return tk.config["ckanext.govshare.internal_signoff"]


def deadline_unconditional() -> int | None:
    """Working days to provide unconditional data; ``None``: the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.unconditional"]


def deadline_conditional() -> int | None:
    """Working days to answer a conditional request; ``None``: the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.conditional"]


def deadline_delivery() -> int | None:
    """Working days to deliver approved data; ``None``: the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.delivery"]


def deadline_extension_max() -> int | None:
    """Most working days the authority may extend an answer by (2025 art. 21); ``None``: the
    rule profile's number."""
    return tk.config["ckanext.govshare.deadline.extension_max"]


def deadline_catalogue_update_extension() -> int | None:
    """Working days the authority may extend a catalogue update by (2025 art. 17); ``None``:
    the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.catalogue_update_extension"]


def deadline_catalogue_review() -> int | None:
    """Working days the authority has to review a catalogue entry (2025 art. 17); ``None``:
    the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.catalogue_review"]


def deadline_disposal() -> int | None:
    """Working days the holder has to record disposal after a grant ends (2025 art. 27);
    ``None``: the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.disposal"]


def usage_retention_years() -> int | None:
    """Years usage records are kept at least (2025 art. 29); ``None``: the profile's."""
    return tk.config["ckanext.govshare.usage_records.retention_years"]


def deadline_feedback() -> int | None:
    """Working days the provider has to answer doubt or error feedback (2016 art. 15, 2025
    art. 26); ``None``: the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.feedback"]


def deadline_catalogue_update() -> int | None:
    """Working days to update the catalogue after a law or a department's functions change
    (2016 art. 8, 2025 art. 17); ``None``: the rule profile's number."""
    return tk.config["ckanext.govshare.deadline.catalogue_update"]


def deadline_resubmit() -> int:
    """Working days to resubmit a request returned for more information."""
    return tk.config["ckanext.govshare.deadline.resubmit"]


def timezone() -> str:
    """Name of the time zone whose calendar dates deadlines are counted on."""
    return tk.config["ckanext.govshare.timezone"]


def max_period_years() -> int:
    """Longest period of use a request, a negotiation or a decision may set, in years."""
    return tk.config["ckanext.govshare.max_period_years"]


# --- access: attachments, grants -------------------------------------------------------------


def attachment_max_mb() -> int:
    """Largest attachment, in MB, of an access request or a feedback."""
    return tk.config["ckanext.govshare.attachment_max_mb"]


def grant_default_days() -> int:
    """Days a grant obtained for unconditionally shared data lasts."""
    return tk.config["ckanext.govshare.grant.default_days"]


# --- reminders (``ckan govshare remind``) ----------------------------------------------------


def remind_before_due() -> int:
    """Working days before a due date on which the provider's data officers are reminded."""
    return tk.config["ckanext.govshare.remind.before_due"]


def remind_grant_warning() -> int:
    """Working days before a grant ends on which its holders are warned."""
    return tk.config["ckanext.govshare.remind.grant_warning"]


def remind_email_retry_days() -> int:
    """Days during which a notice whose email failed is emailed again."""
    return tk.config["ckanext.govshare.remind.email_retry_days"]


# --- reports ------------------------------------------------------------------------------------


def findings_refused_attempts() -> int:
    """Refused attempts by one user in a year from which the yearly report lists a finding
    (art. 24)."""
    return tk.config["ckanext.govshare.findings.refused_attempts"]


def findings_usage_record_days() -> int:
    """Working days after delivery from which a grant with no usage record is a finding
    (2025 Regulations art. 29, 40(5))."""
    return tk.config["ckanext.govshare.findings.usage_record_days"]


# --- downloads --------------------------------------------------------------------------------


def download_allowed_hosts() -> list[str]:
    """Hosts (or host:port) from which link resources are fetched for downloads."""
    return tk.config["ckanext.govshare.download.allowed_hosts"]


def download_fetch_timeout() -> int:
    """Seconds to wait for an allowed host while fetching a link resource."""
    return tk.config["ckanext.govshare.download.fetch_timeout"]


def download_token_seconds() -> int:
    """Default lifetime, in seconds, of a download token."""
    return tk.config["ckanext.govshare.download.token_seconds"]


def download_bulk_max_files() -> int:
    """Most files in one bulk ZIP."""
    return tk.config["ckanext.govshare.download.bulk_max_files"]


def download_accel() -> str:
    """``x-accel``: uploaded files are handed to nginx; empty: CKAN sends them."""
    return tk.config["ckanext.govshare.download_accel"]


def download_accel_prefix() -> str:
    """The internal nginx location that maps to ``ckan.storage_path``."""
    return tk.config["ckanext.govshare.download_accel_prefix"]


# --- the service interface (issue 16, items 4-6) --------------------------------------------


def query_max_limit() -> int:
    """Most rows one page of ``/govshare/query`` (``govshare_data_query``) answers."""
    return tk.config["ckanext.govshare.query.max_limit"]


# --- batch exchange (issue 17) ----------------------------------------------------------------


def exchange_key() -> str:
    """The Fernet key that encrypts exchange targets' connection strings ("" when unset)."""
    return (tk.config["ckanext.govshare.exchange.key"] or "").strip()


def exchange_root() -> str:
    """The directory directory targets live under ("" when unset)."""
    return (tk.config["ckanext.govshare.exchange.root"] or "").strip()


def exchange_timeout() -> int:
    """Seconds a connection to an exchange target may take."""
    return tk.config["ckanext.govshare.exchange.timeout"]


# --- login throttling (issue 14, item 8) -----------------------------------------------------


def login_max_failures() -> int:
    """Failed logins of one account within the window that lock it; 0: no per-account limit."""
    return tk.config["ckanext.govshare.login.max_failures"]


def login_max_failures_per_address() -> int:
    """Failed logins from one address within the window that lock it; 0: no limit."""
    return tk.config["ckanext.govshare.login.max_failures_per_address"]


def login_window() -> int:
    """Seconds over which failed logins are counted."""
    return tk.config["ckanext.govshare.login.window"]


def login_lock_seconds() -> int:
    """Seconds a locked account or address stays locked."""
    return tk.config["ckanext.govshare.login.lock_seconds"]


def login_trusted_proxies() -> int:
    """Reverse proxies in front of CKAN that append the client's address to X-Forwarded-For."""
    return tk.config["ckanext.govshare.login.trusted_proxies"]


# --- the demo and the audit trail's archive --------------------------------------------------


def demo_seed() -> int:
    """Seed of the demo catalogue, so the same catalogue comes out every time."""
    return tk.config["ckanext.govshare.demo.seed"]


def demo_entries() -> int:
    """How many catalogue entries the demo loads."""
    return tk.config["ckanext.govshare.demo.entries"]


def audit_archive_dir() -> str:
    """Directory where ``ckan govshare audit archive`` writes; empty: ``--dir`` must be given."""
    return tk.config["ckanext.govshare.audit.archive_dir"]


# --- the platform's identity: the About page (issue 19, item 1; core/identity.py) -----------


def about_operator_en() -> str:
    """Who runs the platform, in English; empty: the sharing authority's department."""
    return tk.config["ckanext.govshare.about.operator.en"]


def about_operator_zh() -> str:
    """Who runs the platform, in Chinese (运营单位); empty: the English one or the authority."""
    return tk.config["ckanext.govshare.about.operator.zh_Hans_CN"]


def about_text_en() -> str:
    """The About page's text in English (Markdown); empty: the platform's own."""
    return tk.config["ckanext.govshare.about.text.en"]


def about_text_zh() -> str:
    """The About page's text in Chinese (Markdown); empty: the platform's own."""
    return tk.config["ckanext.govshare.about.text.zh_Hans_CN"]


def about_contact_phone() -> str:
    """The operator's telephone number for users."""
    return tk.config["ckanext.govshare.about.contact_phone"]


def about_contact_email() -> str:
    """The operator's e-mail address for users."""
    return tk.config["ckanext.govshare.about.contact_email"]


def about_contact_address() -> str:
    """The operator's postal address."""
    return tk.config["ckanext.govshare.about.contact_address"]
