#!/usr/bin/env bash
# Entrypoint of the ckanext-govshare CKAN image (web server and job worker).
#
#   1. wait for PostgreSQL and Solr; create the DataStore's database and read-only role when
#      missing (the ckan container only);
#   2. write $CKAN_INI: generated once with `ckan generate config` (which also
#      generates the secrets), then the options below (the production
#      counterpart of config/ckan.ini.template, with Solr instead of
#      govshare_search) are applied from the environment on every start, so
#      docker/.env stays the source of truth, and last the optional
#      $CKAN_INI_OVERRIDES file is merged in;
#   3. unless CKAN_INIT=false (the worker): run the database migrations, create
#      the first sysadmin, apply the DataStore's permissions, make xloader's sysadmin and
#      token (once), index the datasets missing from Solr;
#   4. exec the command (default: uwsgi, see the Dockerfile).
set -euo pipefail

: "${CKAN_INI:=/srv/app/ckan.ini}"
: "${CKAN_STORAGE_PATH:=/var/lib/ckan}"
: "${CKAN_PLUGINS:=activity scheming_datasets scheming_organizations dcat harvest ckan_harvester datastore xloader govshare}"
: "${CKAN_XLOADER_TOKEN_FILE:=/srv/app/secrets/xloader-token}"
: "${CKAN_INIT:=true}"
: "${CKAN_WAIT_TIMEOUT:=180}"
: "${CKAN_INI_OVERRIDES:=/srv/app/ckan-overrides.ini}"
: "${CKAN_SITE_ID:=govshare}"
: "${CKAN_SITE_TITLE:=政务数据共享平台}"
: "${CKAN_MAX_UPLOAD_SIZE_MB:=100}"
export CKAN_INI CKAN_STORAGE_PATH CKAN_WAIT_TIMEOUT CKAN_SITE_ID CKAN_MAX_UPLOAD_SIZE_MB

log() { printf '[ckan-entrypoint] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for var in CKAN_SQLALCHEMY_URL CKAN_SOLR_URL CKAN_REDIS_URL CKAN_SITE_URL \
        CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL; do
    [ -n "${!var:-}" ] || die "$var is not set (see docker/.env.example)"
done
CKAN_SOLR_URL="${CKAN_SOLR_URL%/}"

# Values written into the ini file: ConfigParser treats "%" as interpolation.
ini_value() { printf '%s' "${1//%/%%}"; }

wait_for_postgres() {
    log "waiting for PostgreSQL"
    python -c '
import os, sys, time
import psycopg2
url = os.environ["CKAN_SQLALCHEMY_URL"].replace("postgresql+psycopg2://", "postgresql://", 1)
deadline = time.monotonic() + float(os.environ["CKAN_WAIT_TIMEOUT"])
while True:
    try:
        psycopg2.connect(url, connect_timeout=5).close()
        break
    except psycopg2.OperationalError as exc:
        if time.monotonic() > deadline:
            sys.exit("PostgreSQL is not reachable: %s" % str(exc).strip())
        time.sleep(2)
'
}

wait_for_solr() {
    log "waiting for Solr at $CKAN_SOLR_URL"
    local auth=()
    if [ -n "${CKAN_SOLR_USER:-}" ]; then
        auth=(--user "${CKAN_SOLR_USER}:${CKAN_SOLR_PASSWORD:-}")
    fi
    local deadline=$((SECONDS + CKAN_WAIT_TIMEOUT))
    until curl -fs -o /dev/null --max-time 5 "${auth[@]}" "$CKAN_SOLR_URL/admin/ping"; do
        [ "$SECONDS" -lt "$deadline" ] || die "Solr is not reachable at $CKAN_SOLR_URL/admin/ping"
        sleep 2
    done
}

# The DataStore's database (owned by the write URL's role) and its read-only role, made when
# missing, as the write URL's role: the database's superuser in this stack (postgres image).
ensure_datastore_database() {
    python - <<'EOF'
import os
import psycopg2
from psycopg2 import sql
from urllib.parse import unquote, urlparse

write = urlparse(os.environ["CKAN_DATASTORE_WRITE_URL"])
read = urlparse(os.environ["CKAN_DATASTORE_READ_URL"])
database, reader = write.path.lstrip("/"), unquote(read.username or "")
conn = psycopg2.connect(os.environ["CKAN_DATASTORE_WRITE_URL"].rsplit("/", 1)[0] + "/postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("select 1 from pg_roles where rolname = %s", (reader,))
    if not cur.fetchone():
        print("[ckan-entrypoint] creating the DataStore's read-only role", reader)
        cur.execute(sql.SQL("create role {} login password %s").format(sql.Identifier(reader)),
                    (unquote(read.password or ""),))
    cur.execute("select 1 from pg_database where datname = %s", (database,))
    if not cur.fetchone():
        print("[ckan-entrypoint] creating the DataStore database", database)
        cur.execute(sql.SQL("create database {} owner {} encoding 'utf8' template template0")
                    .format(sql.Identifier(database), sql.Identifier(unquote(write.username))))
conn.close()
EOF
}

# CKAN's `datastore set-permissions` script, run on the DataStore database (its psql
# \connect line left out: the connection is already there).
datastore_permissions() {
    log "applying the DataStore's permissions"
    ckan datastore set-permissions | python -c '
import os, sys
import psycopg2
from psycopg2 import sql
from urllib.parse import urlparse
script = "".join(line for line in sys.stdin if not line.startswith("\\"))
conn = psycopg2.connect(os.environ["CKAN_DATASTORE_WRITE_URL"])
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute(script)
    # The script takes the main database from the read-only role, but every role may still
    # connect to it through PUBLIC: take that away too (CKAN connects as its owner).
    main = urlparse(os.environ["CKAN_SQLALCHEMY_URL"]).path.lstrip("/")
    cur.execute(sql.SQL("revoke connect on database {} from public").format(sql.Identifier(main)))
conn.close()
'
}

# xloader fetches uploads and reports back with a sysadmin's API token: CKAN_XLOADER_API_TOKEN,
# else a sysadmin `xloader` (no password anyone knows) and its token, made once and kept in
# the ckan_secrets volume (0600) for the web and worker containers. Never logged.
ensure_xloader_token() {
    [ -n "${CKAN_XLOADER_API_TOKEN:-}" ] && return 0
    if [ -s "$CKAN_XLOADER_TOKEN_FILE" ] \
            && ckan user token list xloader 2>/dev/null | grep -q "xloader-jobs"; then
        return 0
    fi
    if grep -qx 'User: None' <<<"$(ckan user show xloader)"; then
        log "creating sysadmin xloader (the DataStore loader's account)"
        ckan user add xloader email=xloader@localhost \
            "password=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')" >/dev/null
        ckan sysadmin add xloader >/dev/null
    fi
    log "making xloader's API token"
    (umask 077; ckan user token add xloader xloader-jobs -q | tail -n1 > "$CKAN_XLOADER_TOKEN_FILE")
    ckan config-tool "$CKAN_INI" -f <(printf '[app:main]\nckanext.xloader.api_token = %s\n' \
        "$(cat "$CKAN_XLOADER_TOKEN_FILE")")
}

write_config() {
    if [ ! -f "$CKAN_INI" ]; then
        log "generating $CKAN_INI"
        ckan generate config "$CKAN_INI"
    fi

    local options=(
        "sqlalchemy.url=$(ini_value "$CKAN_SQLALCHEMY_URL")"
        "sqlalchemy.pool_pre_ping=true"
        "solr_url=$(ini_value "$CKAN_SOLR_URL")"
        "ckan.redis.url=$(ini_value "$CKAN_REDIS_URL")"
        "ckan.site_url=$(ini_value "${CKAN_SITE_URL%/}")"
        "ckan.storage_path=$(ini_value "$CKAN_STORAGE_PATH")"
        "ckan.site_id=$(ini_value "$CKAN_SITE_ID")"
        "ckan.site_title=$(ini_value "$CKAN_SITE_TITLE")"
        "ckan.max_resource_size=$CKAN_MAX_UPLOAD_SIZE_MB"
        "ckan.plugins=$CKAN_PLUGINS"
        "ckan.locale_default=zh_Hans_CN"
        "ckan.locales_offered=zh_Hans_CN en"
        "ckan.display_timezone=Asia/Shanghai"
        "ckan.auth.create_user_via_web=false"
        "ckan.auth.public_user_details=false"
        "ckan.views.default_views="
        "scheming.dataset_schemas=ckanext.govshare:schemas/dataset.yaml"
        "scheming.organization_schemas=ckanext.govshare:schemas/organization.yaml"
        "scheming.presets=ckanext.scheming:presets.json"
        "ckan.harvest.mq.type=redis"
        "ckan.datastore.write_url=$(ini_value "$CKAN_DATASTORE_WRITE_URL")"
        "ckan.datastore.read_url=$(ini_value "$CKAN_DATASTORE_READ_URL")"
        "ckanext.xloader.site_url=$(ini_value "${CKAN_XLOADER_SITE_URL:-${CKAN_SITE_URL%/}}")"
        "ckanext.xloader.jobs_db.uri=$(ini_value "$CKAN_SQLALCHEMY_URL")"
        # the files' column names, not their ASCII transliteration (data_items[].column)
        "ckanext.xloader.unidecode_headers=false"
        "ckanext.govshare.download_accel=x-accel"
        # nginx appends the client's address to X-Forwarded-For: login throttling counts it
        "ckanext.govshare.login.trusted_proxies=1"
    )
    if [ -n "${CKAN_SECRET_KEY:-}" ]; then
        # SECRET_KEY signs sessions, CSRF tokens and (through the generated
        # api_token.jwt.*.secret = %(SECRET_KEY)s) API tokens.
        options+=("SECRET_KEY=$(ini_value "$CKAN_SECRET_KEY")")
    else
        log "WARNING: CKAN_SECRET_KEY is not set: this container keeps the secret that" \
            "'ckan generate config' made for it, so a new container logs everyone out" \
            "and invalidates every API token"
    fi
    ckan config-tool "$CKAN_INI" "${options[@]}"
    # xloader's token from the environment or the shared volume, not on a command line.
    local token="${CKAN_XLOADER_API_TOKEN:-}"
    if [ -z "$token" ] && [ -s "$CKAN_XLOADER_TOKEN_FILE" ]; then
        token="$(cat "$CKAN_XLOADER_TOKEN_FILE")"
    fi
    if [ -n "$token" ]; then
        ckan config-tool "$CKAN_INI" -f <(printf '[app:main]\nckanext.xloader.api_token = %s\n' \
            "$(ini_value "$token")")
    fi

    if [ -f "$CKAN_INI_OVERRIDES" ]; then
        log "merging $CKAN_INI_OVERRIDES into $CKAN_INI"
        ckan config-tool "$CKAN_INI" -f "$CKAN_INI_OVERRIDES"
    fi
}

create_sysadmin() {
    if [ -z "${CKAN_SYSADMIN_NAME:-}" ] || [ -z "${CKAN_SYSADMIN_PASSWORD:-}" ] \
            || [ -z "${CKAN_SYSADMIN_EMAIL:-}" ]; then
        log "CKAN_SYSADMIN_NAME/PASSWORD/EMAIL not all set: no sysadmin created"
        return
    fi
    local shown
    shown="$(ckan user show "$CKAN_SYSADMIN_NAME")"
    if grep -qx 'User: None' <<<"$shown"; then
        log "creating sysadmin $CKAN_SYSADMIN_NAME"
        ckan user add "$CKAN_SYSADMIN_NAME" \
            "email=$CKAN_SYSADMIN_EMAIL" "password=$CKAN_SYSADMIN_PASSWORD"
        ckan sysadmin add "$CKAN_SYSADMIN_NAME"
    else
        log "user $CKAN_SYSADMIN_NAME already exists: left as it is"
    fi
}

initialise() {
    log "running database migrations"
    ckan db upgrade
    ckan db upgrade -p activity
    ckan db upgrade -p harvest
    ckan db upgrade -p govshare
    create_sysadmin
    datastore_permissions
    ensure_xloader_token
    log "indexing datasets missing from Solr"
    ckan search-index rebuild -o
}

wait_for_postgres
if [ "$CKAN_INIT" = "true" ]; then
    ensure_datastore_database
fi
wait_for_solr
write_config
if [ "$CKAN_INIT" = "true" ]; then
    initialise
fi

if [ "$#" -eq 0 ]; then
    set -- uwsgi --http-socket :5000 --wsgi-file /srv/app/wsgi.py --master \
        --processes 4 --threads 2 --harakiri 120 --buffer-size 32768 \
        --lazy-apps --die-on-term --need-app --disable-logging
fi
log "starting: $*"
exec "$@"
