#!/usr/bin/env bash
# Set-up steps behind `make run` and `make test`. Each step installs what is missing and
# reuses what is there, so a second run is fast and keeps the data.
#
#   scripts/setup.sh <step> [...]
#
# Steps: system browser venv services database config migrate i18n admin demo serve stop
# Environment: CKAN_VERSION (default 2.11.6), VENV, CKAN_INI, DB_NAME, PORT, VAR (default var/).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

CKAN_VERSION="${CKAN_VERSION:-2.11.6}"
VENV="${VENV:-$ROOT/.venv}"
CKAN_INI="${CKAN_INI:-$ROOT/config/ckan.ini}"
DB_NAME="${DB_NAME:-govshare}"
DB_USER="${DB_USER:-govshare}"
PORT="${PORT:-5000}"
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
  # nodejs: pyright (make test, make lint) runs on it.
  local need=(python3-venv python3-dev libpq-dev gcc libmagic1 postgresql-client curl nodejs)
  if command -v dpkg-query >/dev/null; then apt_install "${need[@]}"; fi
}

# --- the virtualenv with CKAN and the extensions --------------------------------------------
step_venv() {
  local stamp="$VENV/.govshare-installed"
  local want
  want="ckan=$CKAN_VERSION $(sha1sum "$ROOT/setup.py" "$ROOT/requirements-dev.txt" | sha1sum | cut -c1-12)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  if [ ! -x "$PY" ]; then
    log "Creating $VENV"
    python3 -m venv "$VENV"
  fi
  log "Installing CKAN $CKAN_VERSION, the extensions and ckanapi into $VENV"
  "$PY" -m pip install -q --upgrade pip wheel "setuptools<81"
  "$PY" -m pip install -q "ckan[requirements]==$CKAN_VERSION" \
    "ckanext-scheming==3.1.*" "ckanext-dcat==2.4.*" "ckanext-harvest==1.6.*" ckanapi
  "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt"
  "$PY" -m pip install -q -e "$ROOT"
  echo "$want" > "$stamp"
}

# --- what only the tests use: Debian's chromium and a CJK font (playwright drives it), and
# nginx (a test runs docker/'s production nginx file on it) ----------------------------------
step_browser() {
  if command -v dpkg-query >/dev/null; then apt_install chromium fonts-wqy-microhei nginx-core; fi
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
db_password() {
  if [ ! -f "$PW_FILE" ]; then
    mkdir -p "$(dirname "$PW_FILE")"
    (umask 077; python3 -c 'import secrets; print(secrets.token_hex(16))' > "$PW_FILE")
  fi
  cat "$PW_FILE"
}

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
}

# --- config/ckan.ini from the committed template --------------------------------------------
step_config() {
  local pw
  pw="$(db_password)"
  mkdir -p "$VAR/storage-$DB_NAME"
  [ -f "$CKAN_INI" ] && log "Checking $CKAN_INI for settings added since it was written" \
    || log "Writing $CKAN_INI"
  # A new config is the template with this machine's values; an existing one keeps its values and
  # secrets and gains the settings the template added since (at the end of their section).
  "$PY" - "$ROOT/config/ckan.ini.template" "$CKAN_INI" <<EOF
import configparser, os, secrets, sys
template, target = sys.argv[1], sys.argv[2]
text = open(template, encoding="utf-8").read()
values = {
    "SQLALCHEMY_URL": "postgresql://$DB_USER:$pw@127.0.0.1/$DB_NAME",
    "REDIS_URL": "redis://127.0.0.1:6379/${REDIS_DB:-0}",
    "SITE_ID": "govshare",
    "SITE_URL": "http://127.0.0.1:$PORT",
    "STORAGE_PATH": "$VAR/storage-$DB_NAME",
    "SECRET_KEY": secrets.token_urlsafe(32),
    "JWT_SECRET": secrets.token_urlsafe(32),
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
for section in wanted.sections():
    missing = [k for k in wanted.options(section)
               if not have.has_section(section) or not have.has_option(section, k)]
    missing = [k for k in missing if k not in wanted.defaults()]
    if not missing:
        continue
    new = [f"{k} = {wanted.get(section, k)}" for k in missing]
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
  if ! running worker; then
    # CKAN's jobs worker, started again when Redis went away (issue 14, item 9).
    nohup "$CKAN" -c "$CKAN_INI" govshare worker >"$VAR/worker.log" 2>&1 &
    echo $! > "$(pidfile worker)"
  fi
  if running web; then
    log "Already serving at http://127.0.0.1:$PORT (make stop to stop)"
    return 0
  fi
  # No Werkzeug debugger: an error that escapes the application (the database gone) would
  # show its traceback, and an interactive console behind a PIN, to whoever asked.
  nohup "$CKAN" -c "$CKAN_INI" run --host 127.0.0.1 --port "$PORT" --disable-reloader \
    --disable-debugger >"$VAR/ckan.log" 2>&1 &
  echo $! > "$(pidfile web)"
  for _ in $(seq 60); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/3/action/status_show" 2>/dev/null; then
      log "Serving at http://127.0.0.1:$PORT  — log in as 'admin' (password in config/admin-password.txt)"
      log "Logs: var/ckan.log, var/worker.log. Stop with: make stop"
      return 0
    fi
    running web || { tail -n 30 "$VAR/ckan.log" >&2; die "CKAN did not start"; }
    sleep 1
  done
  die "CKAN did not answer within 60 s (see var/ckan.log)"
}

step_stop() {
  for name in web worker; do
    if running "$name"; then
      kill "$(cat "$(pidfile "$name")")" && log "Stopped $name"
    fi
    rm -f "$(pidfile "$name")"
  done
}

[ $# -gt 0 ] || die "usage: $0 step [step...]"
for step in "$@"; do "step_$step"; done
