#!/usr/bin/env bash
# Set-up steps behind `make run` and `make test`. Each step installs what is missing and
# reuses what is there, so a second run is fast and keeps the data.
#
#   scripts/setup.sh <step> [...]
#
# Steps: system browser venv services database config migrate datastore i18n admin xloader demo
#        mail serve stop
# Environment: CKAN_VERSION (default 2.11.6), VENV, CKAN_INI, DB_NAME, PORT, VAR (default var/),
#              DB_SYNCHRONOUS_COMMIT and DB_JIT (off for the test databases: see
#              step_database).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

CKAN_VERSION="${CKAN_VERSION:-2.11.6}"
VENV="${VENV:-$ROOT/.venv}"
CKAN_INI="${CKAN_INI:-$ROOT/config/ckan.ini}"
DB_NAME="${DB_NAME:-govshare}"
DB_USER="${DB_USER:-govshare}"
# The DataStore (issue 16, item 1): the tables of tabular resources live in a database of their
# own, written by the site's role and read by a role that can only read it.
DS_NAME="${DB_NAME}_datastore"
DS_READ_USER="${DS_READ_USER:-govshare_ro}"
PORT="${PORT:-5000}"
DB_SYNCHRONOUS_COMMIT="${DB_SYNCHRONOUS_COMMIT:-}"
DB_JIT="${DB_JIT:-}"
VAR="${VAR:-$ROOT/var}"
PY="$VENV/bin/python"
CKAN="$VENV/bin/ckan"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"; fi
}

APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  log "Installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# --- system packages: what building CKAN's requirements needs on Debian 12 ----------------
step_system() {
  # nodejs: pyright (make test, make lint) runs on it. fonts-wqy-microhei: the CJK TrueType
  # font the yearly report's PDF embeds (reports/charts.py; issue 19, item 9).
  local need=(python3-venv python3-dev libpq-dev gcc libmagic1 postgresql-client curl nodejs
    fonts-wqy-microhei)
  if command -v dpkg-query >/dev/null; then apt_install "${need[@]}"; fi
}

# --- the virtualenv with CKAN and the extensions --------------------------------------------
# ckanext-xloader loads CSV/XLSX resources into the DataStore (issue 16, item 1). 2.5.2, not
# 2.6.0: 2.6.0 requires requests>=2.34.2, certifi>=2026.7.22, urllib3>=2.8, idna>=3.20 and
# six>=1.17, which CKAN 2.11.6 pins lower (requests 2.33.0, certifi 2026.1.4, urllib3 2.7.0)
# and CKAN 2.12.0 too (certifi 2026.6.17, urllib3 2.7.0, idna 3.18). 2.5.2 (CKAN 2.10-2.12)
# declares no requirements of its own; its requirements.txt ones are listed here, and none of
# them moves a package CKAN pins.
EXTENSIONS=(
  "ckanext-scheming==3.1.*" "ckanext-dcat==2.4.*" "ckanext-harvest==1.6.*" ckanapi
  "ckanext-xloader==2.5.2" "tabulator==1.53.5" "Unidecode>=1.3,<2" "chardet>=5.2,<6"
)
step_venv() {
  local stamp="$VENV/.govshare-installed"
  local want
  want="ckan=$CKAN_VERSION $( (cat "$ROOT/setup.py" "$ROOT/requirements-dev.txt"; \
    echo "${EXTENSIONS[*]}") | sha1sum | cut -c1-12)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  if [ ! -x "$PY" ]; then
    log "Creating $VENV"
    python3 -m venv "$VENV"
  fi
  log "Installing CKAN $CKAN_VERSION, the extensions and ckanapi into $VENV"
  "$PY" -m pip install -q --upgrade pip wheel "setuptools<81"
  "$PY" -m pip install -q "ckan[requirements]==$CKAN_VERSION" "${EXTENSIONS[@]}"
  "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt"
  "$PY" -m pip install -q -e "$ROOT"
  # ckanext-xloader's wheel ships a pkg_resources-style ckanext/__init__.py, which makes
  # ckanext a regular package: import-linter (grimp) then refuses ckanext.govshare as its root
  # ("NotATopLevelModule"). CKAN's own ckanext is a PEP 420 namespace: keep it one.
  "$PY" - <<'EOF'
import pathlib, sysconfig
stub = pathlib.Path(sysconfig.get_paths()["purelib"]) / "ckanext" / "__init__.py"
if stub.exists() and "declare_namespace" in stub.read_text():
    stub.unlink()
EOF
  echo "$want" > "$stamp"
}

# --- what only the tests use: Debian's chromium and a CJK font (playwright drives it), and
# nginx (a test runs docker/'s production nginx file on it) ----------------------------------
step_browser() {
  if command -v dpkg-query >/dev/null; then apt_install chromium fonts-wqy-microhei nginx-core; fi
  # axe-core (npm) for the browser tests' accessibility checks, pinned by package-lock.json.
  if [ ! -f node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    log "Installing the browser tests' node packages (axe-core)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() {
  "$PY" - <<'EOF' 2>/dev/null
import socket
s = socket.create_connection(("127.0.0.1", 6379), timeout=1)
s.sendall(b"PING\r\n")
assert s.recv(16).startswith(b"+PONG")
EOF
}

# --- PostgreSQL and Redis: reuse running ones, else install and start them -----------------
step_services() {
  if ! pg_up; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
    log "Starting PostgreSQL"
    local ver
    ver="$(ls /etc/postgresql | sort -V | tail -n1)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || \
      as_root service postgresql start
    for _ in $(seq 30); do pg_up && break; sleep 1; done
    pg_up || die "PostgreSQL did not start"
  fi
  if ! redis_up; then
    command -v redis-server >/dev/null || apt_install redis-server
    log "Starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/govshare.log
    for _ in $(seq 30); do redis_up && break; sleep 1; done
    redis_up || die "Redis did not start"
  fi
}

psql_admin() {
  # Trust on localhost (these machines), else the postgres OS user over the socket (Debian).
  if psql -h 127.0.0.1 -U postgres -d postgres -tAq -c 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -tAq "$@"
  else
    as_root runuser -u postgres -- psql -d postgres -v ON_ERROR_STOP=1 -tAq "$@"
  fi
}

# The role's password is kept per machine user, not per checkout, so that every clone on the
# machine (a CI run included) reuses it instead of changing it under the others.
PW_FILE="${XDG_CONFIG_HOME:-$HOME/.config}/ckanext-govshare/db-password"
RO_PW_FILE="${PW_FILE}-ro"  # the DataStore's read-only role, kept the same way
password_in() {
  if [ ! -f "$1" ]; then
    mkdir -p "$(dirname "$1")"
    (umask 077; python3 -c 'import secrets; print(secrets.token_hex(16))' > "$1")
  fi
  cat "$1"
}
db_password() { password_in "$PW_FILE"; }
ro_password() { password_in "$RO_PW_FILE"; }

# --- the role and the database -------------------------------------------------------------
step_database() {
  local pw
  pw="$(db_password)"
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
    log "Creating database role $DB_USER"
    psql_admin -c "create role $DB_USER login password '$pw'"
  elif [ ! -f "$CKAN_INI" ]; then
    # A config is about to be written with this password: make sure the role has it.
    psql_admin -c "alter role $DB_USER login password '$pw'" >/dev/null
  fi
  # The federation tests start a lower and an upper site, each on a database of its own.
  if [ "$(psql_admin -c "select rolcreatedb from pg_roles where rolname='$DB_USER'")" != t ]; then
    psql_admin -c "alter role $DB_USER createdb" >/dev/null
  fi
  if [ "$(psql_admin -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
    log "Creating database $DB_NAME"
    psql_admin -c "create database $DB_NAME owner $DB_USER encoding 'utf8' template template0"
  fi
  # The DataStore: its database owned by the write role, and the read-only role (its
  # permissions come in the datastore step, which needs the config).
  local ro_pw
  ro_pw="$(ro_password)"
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname='$DS_READ_USER'")" != 1 ]; then
    log "Creating the DataStore's read-only role $DS_READ_USER"
    psql_admin -c "create role $DS_READ_USER login password '$ro_pw'" >/dev/null
  elif [ ! -f "$CKAN_INI" ]; then
    psql_admin -c "alter role $DS_READ_USER login password '$ro_pw'" >/dev/null
  fi
  if [ "$(psql_admin -c "select 1 from pg_database where datname='$DS_NAME'")" != 1 ]; then
    log "Creating DataStore database $DS_NAME"
    psql_admin -c "create database $DS_NAME owner $DB_USER encoding 'utf8' template template0"
  fi
  # The test databases (the Makefile's TEST_SETUP) commit without waiting for the disk: a
  # suite commits about 180,000 times. A crash can lose their last commits, never make them
  # inconsistent. Without DB_SYNCHRONOUS_COMMIT a database keeps what its site set.
  case "$DB_SYNCHRONOUS_COMMIT" in
    "") ;;
    on|off|local) alter_databases synchronous_commit "$DB_SYNCHRONOUS_COMMIT" ;;
    *) die "DB_SYNCHRONOUS_COMMIT must be on, off or local, not $DB_SYNCHRONOUS_COMMIT" ;;
  esac
  # Nor do they compile queries to machine code: their tables are tiny, so a query the planner
  # guesses expensive (an unanalysed table) pays JIT compilation for nothing (8–15 % of the
  # search and report tests). Without DB_JIT a database keeps what its site set.
  case "$DB_JIT" in
    "") ;;
    on|off) alter_databases jit "$DB_JIT" ;;
    *) die "DB_JIT must be on or off, not $DB_JIT" ;;
  esac
}

# A PostgreSQL setting ($1 = $2, both checked by the caller) for the site's database and its
# DataStore, taking effect at their next connections.
alter_databases() {
  local db
  for db in "$DB_NAME" "$DS_NAME"; do
    psql_admin -c "alter database $db set $1 = $2" >/dev/null
  done
}

# --- config/ckan.ini from the committed template --------------------------------------------
step_config() {
  local pw
  pw="$(db_password)"
  mkdir -p "$VAR/storage-$DB_NAME" "$VAR/exchange-$DB_NAME"
  [ -f "$CKAN_INI" ] && log "Checking $CKAN_INI for settings added since it was written" \
    || log "Writing $CKAN_INI"
  # A new config is the template with this machine's values; an existing one keeps its values and
  # secrets and gains the settings the template added since (at the end of their section).
  "$PY" - "$ROOT/config/ckan.ini.template" "$CKAN_INI" <<EOF
import base64, configparser, os, secrets, sys
template, target = sys.argv[1], sys.argv[2]
text = open(template, encoding="utf-8").read()
values = {
    "SQLALCHEMY_URL": "postgresql://$DB_USER:$pw@127.0.0.1/$DB_NAME",
    "DATASTORE_WRITE_URL": "postgresql://$DB_USER:$pw@127.0.0.1/$DS_NAME",
    "DATASTORE_READ_URL": "postgresql://$DS_READ_USER:$(ro_password)@127.0.0.1/$DS_NAME",
    "REDIS_URL": "redis://127.0.0.1:6379/${REDIS_DB:-0}",
    "SITE_ID": "govshare",
    "SITE_URL": "http://127.0.0.1:$PORT",
    "STORAGE_PATH": "$VAR/storage-$DB_NAME",
    "SECRET_KEY": secrets.token_urlsafe(32),
    "JWT_SECRET": secrets.token_urlsafe(32),
    # A Fernet key: 32 random bytes in URL-safe base64 (issue 17, item 1).
    "EXCHANGE_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "EXCHANGE_ROOT": "$VAR/exchange-$DB_NAME",
}
for key, value in values.items():
    text = text.replace("@" + key + "@", value)
if not os.path.exists(target):
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    sys.exit(0)
def parse(source):
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read_string(source)
    return parser
wanted, have = parse(text), parse(open(target, encoding="utf-8").read())
lines = open(target, encoding="utf-8").read().splitlines()
added = []
# smtp.server: the template's old placeholder (localhost:25, no server in development) becomes
# the development sink that make run starts (issue 19, item 10); any other value stays.
if have.has_option("app:main", "smtp.server") and \
        have.get("app:main", "smtp.server").strip() == "localhost:25":
    i = next(i for i, line in enumerate(lines) if line.split("=")[0].strip() == "smtp.server")
    lines[i] = "smtp.server = " + wanted.get("app:main", "smtp.server")
    added.append("smtp.server (the development mail sink)")
# Plugins the template gained after configs were first written join an existing plugin list
# (before govshare); other differences in the list are the site's own choice and stay.
NEW_PLUGINS = ["datastore", "xloader"]
if have.has_option("app:main", "ckan.plugins"):
    plugins = have.get("app:main", "ckan.plugins").split()
    new = [p for p in NEW_PLUGINS if p not in plugins]
    if new:
        at = plugins.index("govshare") if "govshare" in plugins else len(plugins)
        plugins[at:at] = new
        i = next(i for i, line in enumerate(lines) if line.split("=")[0].strip() == "ckan.plugins")
        lines[i] = "ckan.plugins = " + " ".join(plugins)
        added += [f"plugin {p}" for p in new]
for section in wanted.sections():
    missing = [k for k in wanted.options(section)
               if not have.has_section(section) or not have.has_option(section, k)]
    missing = [k for k in missing if k not in wanted.defaults()]
    if not missing:
        continue
    # A config written before the template named a rule profile ran under the old default,
    # the 2016 Measures: it keeps them (issue 18); new configs get the 2025 Regulations.
    KEEP = {"ckanext.govshare.rule_profile": "measures-2016"}
    new = [f"{k} = {KEEP.get(k, wanted.get(section, k))}" for k in missing]
    if not have.has_section(section):
        lines += ["", f"[{section}]", *new]
    else:
        start = lines.index(f"[{section}]")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = new
    added += missing
if added:
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("  added: " + ", ".join(added))
EOF
  chmod 600 "$CKAN_INI"
}

# --- every migration: core, activity, harvest, the search index, govshare ------------------
step_migrate() {
  log "Running database migrations"
  "$CKAN" -c "$CKAN_INI" db upgrade >/dev/null
  for plugin in activity harvest govshare_search govshare; do
    "$CKAN" -c "$CKAN_INI" db upgrade -p "$plugin" >/dev/null
  done
}

# --- the DataStore's permissions (CKAN's set-permissions script, run as the admin) ----------
# The read-only role may connect to the DataStore database and select from it, nothing else.
# Done once: a rerun finds the script's trigger function and the role's grant in place.
step_datastore() {
  local done_check
  done_check="select count(*) from pg_proc where proname = 'populate_full_text_trigger'"
  if [ "$(psql_admin -d "$DS_NAME" -c "$done_check" 2>/dev/null)" = 1 ] && \
     [ "$(psql_admin -c "select has_database_privilege('$DS_READ_USER', '$DS_NAME', 'connect')
          and not has_database_privilege('$DS_READ_USER', '$DB_NAME', 'connect')")" = t ]; then
    return 0
  fi
  log "Setting the DataStore's permissions on $DS_NAME"
  local sql
  sql="$("$CKAN" -c "$CKAN_INI" datastore set-permissions)"
  # CKAN's script revokes the main database from the read-only role, but every role may still
  # connect through PUBLIC's default grant: take that away too (the site's role owns it).
  printf '%s\n\\connect postgres\nrevoke connect on database "%s" from public;\n' \
    "$sql" "$DB_NAME" | psql_admin >/dev/null
}

# --- the zh_Hans_CN catalog -----------------------------------------------------------------
step_i18n() {
  local dir="$ROOT/ckanext/govshare/i18n"
  for po in "$dir"/*/LC_MESSAGES/ckanext-govshare.po; do
    local mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
      "$VENV/bin/pybabel" compile -i "$po" -o "$mo" 2>/dev/null || "$VENV/bin/pybabel" compile -i "$po" -o "$mo"
    fi
  done
}

# --- the sysadmin `admin`, password generated and printed once -----------------------------
step_admin() {
  if "$CKAN" -c "$CKAN_INI" user show admin 2>/dev/null | grep -q "name=admin"; then return 0; fi
  local pw
  pw="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')"
  "$CKAN" -c "$CKAN_INI" user add admin email=admin@localhost "password=$pw" >/dev/null
  "$CKAN" -c "$CKAN_INI" sysadmin add admin >/dev/null
  (umask 077; echo "$pw" > "$ROOT/config/admin-password.txt")
  log "Created sysadmin 'admin' with password: $pw  (kept in config/admin-password.txt)"
}

# --- xloader's API token: a sysadmin `xloader` (no password anyone knows) and its token, in the
# config (0600), never on the terminal or in a log. Made again when the database lost them.
step_xloader() {
  local have
  have="$(sed -n 's/^ckanext\.xloader\.api_token *= *//p' "$CKAN_INI" | head -n1)"
  if [ -n "$have" ] && [ "$have" != NOT_SET ] && \
     "$CKAN" -c "$CKAN_INI" user token list xloader 2>/dev/null | grep -q "xloader-jobs"; then
    return 0
  fi
  if ! "$CKAN" -c "$CKAN_INI" user show xloader 2>/dev/null | grep -q "name=xloader"; then
    log "Creating sysadmin 'xloader' (the DataStore loader's account)"
    "$CKAN" -c "$CKAN_INI" user add xloader email=xloader@localhost \
      "password=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')" >/dev/null
    "$CKAN" -c "$CKAN_INI" sysadmin add xloader >/dev/null
  fi
  log "Writing xloader's API token into $CKAN_INI"
  XLOADER_TOKEN="$("$CKAN" -c "$CKAN_INI" user token add xloader xloader-jobs -q | tail -n1)" \
    "$PY" - "$CKAN_INI" <<'EOF'
import os, re, sys
path, token = sys.argv[1], os.environ["XLOADER_TOKEN"].strip()
assert token, "no token"
text = open(path, encoding="utf-8").read()
line = "ckanext.xloader.api_token = " + token
pattern = re.compile(r"^ckanext\.xloader\.api_token\s*=.*$", re.M)
text = pattern.sub(lambda _: line, text, count=1) if pattern.search(text) else \
    text.replace("[app:main]\n", "[app:main]\n" + line + "\n", 1)
open(path, "w", encoding="utf-8").write(text)
EOF
  chmod 600 "$CKAN_INI"
}

step_demo() {
  "$CKAN" -c "$CKAN_INI" govshare demo --if-empty
}

pidfile() { echo "$VAR/$1.pid"; }
running() { [ -f "$(pidfile "$1")" ] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }

# --- serve at http://127.0.0.1:$PORT, with a background-jobs worker --------------------------
step_serve() {
  # Logs and uploads are for this account only (issue 14, item 2): var/ 0750, files 0640 from
  # the umask the servers inherit; what an earlier set-up left world-readable is fixed here.
  umask 027
  mkdir -p "$VAR"
  chmod 0750 "$VAR"
  chmod -R g-w,o-rwx "$VAR" 2>/dev/null || warn "could not restrict every file under $VAR"
  # The web server first: xloader's jobs fetch uploaded files from it (issue 16, item 1).
  if running web; then
    log "Already serving at http://127.0.0.1:$PORT (make stop to stop)"
  else
    # No Werkzeug debugger: an error that escapes the application (the database gone) would
    # show its traceback, and an interactive console behind a PIN, to whoever asked.
    nohup "$CKAN" -c "$CKAN_INI" run --host 127.0.0.1 --port "$PORT" --disable-reloader \
      --disable-debugger >"$VAR/ckan.log" 2>&1 &
    echo $! > "$(pidfile web)"
    local up=""
    for _ in $(seq 60); do
      if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/3/action/status_show" 2>/dev/null; then
        up=1
        break
      fi
      running web || { tail -n 30 "$VAR/ckan.log" >&2; die "CKAN did not start"; }
      sleep 1
    done
    [ -n "$up" ] || die "CKAN did not answer within 60 s (see var/ckan.log)"
    log "Serving at http://127.0.0.1:$PORT  — log in as 'admin' (password in config/admin-password.txt)"
    log "Logs: var/ckan.log, var/worker.log. Stop with: make stop"
  fi
  if ! running worker; then
    # CKAN's jobs worker (xloader's loads among its jobs), started again when Redis went away
    # (issue 14, item 9).
    nohup "$CKAN" -c "$CKAN_INI" govshare worker >"$VAR/worker.log" 2>&1 &
    echo $! > "$(pidfile worker)"
  fi
}

# --- mail in development: a local SMTP sink keeping every message under var/mail/ ----------
# (issue 19, item 10). config/ckan.ini's smtp.server points at it; sysadmins read the messages
# at /govshare/mail. In production CKAN sends through the relay set in smtp.server instead.
MAIL_PORT="${MAIL_PORT:-8025}"
step_mail() {
  mkdir -p "$VAR/mail"
  chmod 0750 "$VAR/mail"
  if running mail; then
    log "Mail sink already running on 127.0.0.1:$MAIL_PORT ($VAR/mail)"
    return 0
  fi
  nohup "$PY" -m ckanext.govshare.mail.sink --dir "$VAR/mail" --host 127.0.0.1 \
    --port "$MAIL_PORT" >"$VAR/mail.log" 2>&1 &
  echo $! > "$(pidfile mail)"
  for _ in $(seq 20); do
    "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $MAIL_PORT), 1)" \
      2>/dev/null && break
    running mail || { cat "$VAR/mail.log" >&2; die "the mail sink did not start"; }
    sleep 0.5
  done
  log "Mail sink on 127.0.0.1:$MAIL_PORT: messages kept under $VAR/mail, listed at /govshare/mail"
}

step_stop() {
  for name in web worker mail; do
    if running "$name"; then
      kill "$(cat "$(pidfile "$name")")" && log "Stopped $name"
    fi
    rm -f "$(pidfile "$name")"
  done
}

[ $# -gt 0 ] || die "usage: $0 step [step...]"
for step in "$@"; do "step_$step"; done
