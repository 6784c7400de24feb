"""Where exchanged data goes (``exchange/locations.py``, ``exchange/secrets.py``; 2016 Measures
art. 12): connection strings read by libpq and shown without their password, directories that
never lead outside the exchange root, the encrypted connection string, the log mask —
unit-tested without a database."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.govshare import logmask
from ckanext.govshare.core.messages import SEPARATOR
from ckanext.govshare.exchange import locations, secrets
from ckanext.govshare.exchange.locations import LocationError

pytestmark = pytest.mark.unit

PASSWORD = "Sekr3t-pw"


def _bilingual(error: LocationError | secrets.SecretError) -> None:
    assert SEPARATOR in error.text and PASSWORD not in error.text


# ---------------------------------------------------------------------------- connection strings


@pytest.mark.parametrize(
    "dsn",
    [
        f"postgresql://ex_user:{PASSWORD}@127.0.0.1:5432/exchange_db",
        f"postgres://ex_user:{PASSWORD}@127.0.0.1:5432/exchange_db?sslmode=require",
        f"host=127.0.0.1 port=5432 dbname=exchange_db user=ex_user password={PASSWORD}",
        f"host=127.0.0.1 dbname=exchange_db user=ex_user password='{PASSWORD}'",
    ],
)
def test_a_connection_string_is_shown_without_its_password(dsn: str) -> None:
    assert locations.parse_dsn(dsn)["password"] == PASSWORD
    assert locations.password(dsn) == PASSWORD
    assert locations.display(dsn) == "postgresql://ex_user@127.0.0.1:5432/exchange_db"


def test_display_without_a_port_names_the_default_and_quotes_names() -> None:
    shown = locations.display("postgresql://b%C3%BCro%40x:pw@db.example.org/%E4%BA%A4%E6%8D%A2")
    assert shown == "postgresql://b%C3%BCro%40x@db.example.org:5432/%E4%BA%A4%E6%8D%A2"
    assert locations.display("postgresql://u@[::1]:6432/d") == "postgresql://u@[::1]:6432/d"


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("", locations.DSN_REQUIRED),
        ("x" * (locations.MAX_DSN + 1), locations.DSN_TOO_LONG),
        # libpq would quote this one, password and all, in its own error
        (f"postgresql//ex_user:{PASSWORD}@127.0.0.1/db", locations.DSN_UNREADABLE),
        (f"postgresql://u:{PASSWORD}@h/db\x00", locations.DSN_UNREADABLE),
        (f"postgresql://u:{PASSWORD}@/db", locations.DSN_NO_HOST),
        (f"postgresql://u:{PASSWORD}@/db?host=/var/run/postgresql", locations.DSN_NO_HOST),
        (f"postgresql://u:{PASSWORD}@h", locations.DSN_NO_DATABASE),
        (f"postgresql://h/db?password={PASSWORD}", locations.DSN_NO_DATABASE),
    ],
)
def test_unusable_connection_strings_are_refused(dsn: str, expected: str) -> None:
    with pytest.raises(LocationError) as caught:
        locations.parse_dsn(dsn)
    assert (caught.value.field, caught.value.text) == ("dsn", expected)
    _bilingual(caught.value)


@pytest.mark.parametrize("key", ["passfile", "service", "sslkey", "sslrootcert", "options"])
def test_parameters_reading_the_platforms_own_files_are_refused(key: str) -> None:
    with pytest.raises(LocationError) as caught:
        locations.parse_dsn(f"host=h dbname=d user=u password={PASSWORD} {key}=x")
    assert key in caught.value.text
    _bilingual(caught.value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=200),
        st.builds(lambda a, b: f"postgresql://{a}:{PASSWORD}@{b}", st.text(), st.text()),
        st.builds(lambda a, b: f"host={a} {b}={PASSWORD}", st.text(), st.text()),
    )
)
def test_any_text_parses_or_is_refused_without_its_password(dsn: str) -> None:
    try:
        params = locations.parse_dsn(dsn)
    except LocationError as error:
        assert error.field == "dsn" and SEPARATOR in error.text
        assert PASSWORD not in error.text or PASSWORD in locations.DSN_UNREADABLE
        return
    assert set(params) <= locations.ALLOWED_KEYS
    shown = locations.display(dsn)
    assert shown.startswith("postgresql://")
    secret = params.get("password")
    if secret and len(secret) > 3:
        assert secret not in shown.split("@", 1)[0]


def test_scrub_takes_the_password_out_of_a_servers_words() -> None:
    dsn = f"postgresql://ex_user:{PASSWORD}@127.0.0.1/{PASSWORD}"
    text = f'FATAL:  database "{PASSWORD}" does not exist'
    assert locations.scrub(text, dsn) == 'FATAL:  database "[masked]" does not exist'
    assert PASSWORD not in locations.scrub(f"invalid dsn: postgresql//u:{PASSWORD}@h/db")
    assert PASSWORD not in locations.scrub(f"invalid dsn: host=h password={PASSWORD} x=y")
    assert PASSWORD not in locations.scrub(f"password = '{PASSWORD} with space'")


# ---------------------------------------------------------------------------- directories


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root").mkdir()
    (tmp_path / "outside").mkdir()
    return tmp_path / "root"


def test_a_relative_path_resolves_under_the_root(root: Path) -> None:
    assert locations.resolve(str(root), "tax/daily") == str(root / "tax" / "daily")
    assert locations.resolve(str(root), "./tax//daily/") == str(root / "tax" / "daily")
    assert locations.normalise("./tax//daily/") == "tax/daily"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", locations.PATH_REQUIRED),
        ("/etc", locations.PATH_ABSOLUTE),
        ("../outside", locations.PATH_PARENT),
        ("tax/../../outside", locations.PATH_PARENT),
        ("tax\x00", locations.PATH_CHARACTERS),
        ("tax\\..\\x", locations.PATH_CHARACTERS),
        (".", locations.PATH_IS_ROOT),
        ("./", locations.PATH_IS_ROOT),
        ("a" * 256, locations.PATH_TOO_LONG),
        ("a/" * 251, locations.PATH_TOO_LONG),
    ],
)
def test_paths_leading_elsewhere_are_refused(root: Path, path: str, expected: str) -> None:
    with pytest.raises(LocationError) as caught:
        locations.resolve(str(root), path)
    assert (caught.value.field, caught.value.text) == ("path", expected)
    _bilingual(caught.value)


def test_a_link_out_of_the_root_is_refused(root: Path) -> None:
    os.symlink(root.parent / "outside", root / "escape")
    os.symlink("/", root / "slash")
    for path in ("escape", "escape/deeper", "slash/etc"):
        with pytest.raises(LocationError) as caught:
            locations.resolve(str(root), path)
        assert caught.value.text == locations.PATH_OUTSIDE
    os.symlink(root / "inside", root / "fine")
    assert locations.resolve(str(root), "fine/x") == str(root / "inside" / "x")


def test_no_root_no_directory_target() -> None:
    for root in ("", "relative/root"):
        with pytest.raises(LocationError) as caught:
            locations.resolve(root, "tax")
        assert caught.value.text == locations.NO_ROOT


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["..", ".", "", "escape", "a", "/", "\x00", "~", "..."]),
            st.text(max_size=20),
        ),
        max_size=8,
    ).map("/".join)
)
def test_any_path_resolves_under_the_root_or_is_refused(root: Path, path: str) -> None:
    if not (root / "escape").is_symlink():
        os.symlink(root.parent / "outside", root / "escape")
    real = os.path.realpath(root)
    try:
        found = locations.resolve(str(root), path)
    except LocationError as error:
        assert error.field == "path" and SEPARATOR in error.text
        return
    assert os.path.commonpath([real, found]) == real and found != real


# ---------------------------------------------------------------------------- names and kinds


def test_names_and_kinds() -> None:
    assert locations.name_problem("税务前置机") is None
    assert locations.name_problem(" ") == locations.NAME_REQUIRED
    assert locations.name_problem("x" * 101) == locations.NAME_TOO_LONG
    assert locations.name_problem("a\nb") == locations.NAME_CONTROL
    assert [locations.kind_problem(k) for k in ("postgresql", "directory")] == [None, None]
    assert locations.kind_problem("ftp") == locations.BAD_KIND


# ---------------------------------------------------------------------------- secrets


def test_a_connection_string_is_stored_encrypted() -> None:
    key = Fernet.generate_key().decode()
    dsn = f"postgresql://ex_user:{PASSWORD}@127.0.0.1/exchange_db"
    token = secrets.encrypt(dsn, key)
    assert PASSWORD not in token and "ex_user" not in token
    assert secrets.decrypt(token, key) == dsn


def test_no_key_or_a_bad_key_is_said_plainly() -> None:
    for keys, expected in (("", secrets.NO_KEY), ("  ", secrets.NO_KEY), ("nope", secrets.BAD_KEY)):
        with pytest.raises(secrets.SecretError) as caught:
            secrets.encrypt("postgresql://u:pw@h/d", keys)
        assert caught.value.text == expected
        _bilingual(caught.value)


def test_a_changed_key_cannot_decrypt_and_says_so() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = secrets.encrypt("postgresql://u:pw@h/d", old)
    with pytest.raises(secrets.SecretError) as caught:
        secrets.decrypt(token, new)
    assert caught.value.text == secrets.UNREADABLE
    with pytest.raises(secrets.SecretError):
        secrets.decrypt("not a token at all \u4e2d", new)


def test_rotation_new_key_first_old_key_still_reads() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = secrets.encrypt("postgresql://u:pw@h/d", old)
    both = f"{new}, {old}"
    assert secrets.decrypt(token, both) == "postgresql://u:pw@h/d"
    rotated = secrets.rotate(token, both)
    assert secrets.decrypt(rotated, new) == "postgresql://u:pw@h/d"


# ---------------------------------------------------------------------------- logs


@pytest.mark.parametrize(
    "line",
    [
        f"connecting to postgresql://ex_user:{PASSWORD}@127.0.0.1:5432/exchange_db",
        f"dsn='host=127.0.0.1 dbname=x user=u password={PASSWORD}'",
        f"invalid dsn: missing \"=\" after \"postgresql//u:{PASSWORD}@h\"",
        f"{{'password': '{PASSWORD}'}}",
        f"PASSWORD = '{PASSWORD}'",
    ],
)
def test_the_log_mask_hides_connection_passwords(line: str) -> None:
    masked = logmask.mask(line)
    assert PASSWORD not in masked and logmask.MASK in masked
    record = logging.makeLogRecord({"msg": "%s", "args": (line,)})
    assert PASSWORD not in logmask.mask_record(record).getMessage()


def test_the_log_mask_leaves_plain_addresses_alone() -> None:
    for line in ("GET http://localhost:5000/dataset/x 200", "user ex_user@127.0.0.1 connected"):
        assert logmask.mask(line) == line
