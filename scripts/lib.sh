# Shared by scripts/run and scripts/test: install Palace, and make sure the services
# it needs are reachable, starting (and if need be installing) local ones that are not.
# Everything here is idempotent: a second run finds things in place and moves on.

UV_VERSION=0.13.8
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
STARTED_PIDFILES=()

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1; fi
}

apt_install() {
  say "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pick_python() {
  # A Python 3.11 that can make virtual environments (Debian splits venv into its own package).
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      "$candidate" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3.11-venv >&2
      command -v "$candidate"; return 0
    fi
  done
  apt_install python3.11 python3.11-venv >&2
  command -v python3.11
}

install_palace() {  # install_palace [--no-dev]
  if ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
    say "installing uv $UV_VERSION"
    "$(pick_python)" -m venv .tools
    .tools/bin/pip install -q "uv==$UV_VERSION"
  fi
  say "installing Python packages (uv.lock)"
  .tools/bin/uv sync --frozen --quiet --python "$(pick_python)" "$@"
  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing front-end packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  mkdir -p static/vendor
  cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
  cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css
  # The desk's camera reader and the WebAssembly it loads (from here, never a CDN).
  cp node_modules/barcode-detector/dist/iife/ponyfill.js static/vendor/barcode-detector.js
  cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm static/vendor/zxing_reader.wasm
  # The API's docs page (/api/v1/docs).
  cp node_modules/swagger-ui-dist/swagger-ui-bundle.js static/vendor/swagger-ui-bundle.js
  cp node_modules/swagger-ui-dist/swagger-ui.css static/vendor/swagger-ui.css
}

# url_part URL host|port: the host or port of a redis:// or postgres:// URL.
url_part() {
  .venv/bin/python - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
default = 6379 if url.scheme.startswith("redis") else 5432
print(url.hostname or "127.0.0.1" if sys.argv[2] == "host" else url.port or default)
PY
}

reachable() {  # reachable HOST PORT
  .venv/bin/python -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2).close()" "$1" "$2" 2>/dev/null
}

is_local() { case "$1" in 127.*|localhost|::1) return 0;; *) return 1;; esac; }

ensure_redis() {  # ensure_redis URL
  local host port
  host=$(url_part "$1" host); port=$(url_part "$1" port)
  reachable "$host" "$port" && return 0
  is_local "$host" || { say "Redis at $host:$port is not reachable"; return 1; }
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p var
  say "starting a local Redis on port $port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$PWD/var" --pidfile "$PWD/var/redis-$port.pid" --logfile "$PWD/var/redis-$port.log"
  STARTED_PIDFILES+=("$PWD/var/redis-$port.pid")
  for _ in $(seq 50); do reachable "$host" "$port" && return 0; sleep 0.1; done
  say "Redis did not start; see var/redis-$port.log"; return 1
}

PG_PRIVATE_DIR=""

pg_login() {  # pg_login URL: can the tests log in with this URL (server up, auth accepted)?
  .venv/bin/python - "$1" <<'PY' 2>/dev/null
import asyncio, sys
import asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), timeout=5)
    await conn.close()
asyncio.run(main())
PY
}

free_port() {
  .venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

ensure_postgres() {  # ensure_postgres URL; may point PALACE_TEST_POSTGRES_URL at a private server
  local host port
  host=$(url_part "$1" host); port=$(url_part "$1" port)
  pg_login "$1" && return 0
  is_local "$host" || { say "cannot log in to PostgreSQL at $host:$port"; return 1; }
  if ! reachable "$host" "$port" && command -v pg_ctlcluster >/dev/null &&
    [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    say "starting the machine's PostgreSQL cluster"
    for version in /etc/postgresql/*; do
      as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start 2>/dev/null || true
    done
    for _ in $(seq 30); do pg_login "$1" && return 0; sleep 0.2; done
  fi
  # Nothing there, or it wants a password we do not have (Debian's default for TCP):
  # run a private, throw-away cluster with trust auth, on the URL's port if it is free.
  reachable "$host" "$port" && port=$(free_port)
  start_private_postgres "$port"
  PALACE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export PALACE_TEST_POSTGRES_URL
}

start_private_postgres() {  # start_private_postgres PORT
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  local bin owner
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  PG_PRIVATE_DIR=$(mktemp -d /tmp/palace-pg.XXXXXX)
  owner=$(id -un); [ "$owner" = root ] && owner=postgres  # initdb refuses to run as root
  chown "$owner" "$PG_PRIVATE_DIR"
  say "starting a private PostgreSQL on port $1 in $PG_PRIVATE_DIR"
  as_root runuser -u "$owner" -- "$bin/initdb" -D "$PG_PRIVATE_DIR/data" -A trust -U postgres >/dev/null
  as_root runuser -u "$owner" -- "$bin/pg_ctl" -D "$PG_PRIVATE_DIR/data" -l "$PG_PRIVATE_DIR/log" -w \
    -o "-p $1 -k $PG_PRIVATE_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}

stop_started_services() {
  for pidfile in "${STARTED_PIDFILES[@]}"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ -n "$PG_PRIVATE_DIR" ]; then
    local bin
    bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")
    as_root runuser -u "$(stat -c %U "$PG_PRIVATE_DIR")" -- "$bin/pg_ctl" -D "$PG_PRIVATE_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_PRIVATE_DIR"
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
    # Without it only the browser tests fail (saying why); the rest still run.
    apt_install chromium fonts-noto-cjk || say "could not install chromium: browser tests will fail"
  fi
}
