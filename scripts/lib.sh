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
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  apt_install python3 python3-venv >&2
  command -v python3
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

ensure_postgres() {  # ensure_postgres URL
  local host port
  host=$(url_part "$1" host); port=$(url_part "$1" port)
  reachable "$host" "$port" && return 0
  is_local "$host" || { say "PostgreSQL at $host:$port is not reachable"; return 1; }
  if command -v pg_ctlcluster >/dev/null && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    say "starting the machine's PostgreSQL cluster"
    for version in /etc/postgresql/*; do
      as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start 2>/dev/null || true
    done
    for _ in $(seq 30); do reachable "$host" "$port" && return 0; sleep 0.2; done
  fi
  # Still nothing on that port: run a private, throw-away cluster there with trust auth.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  local bin owner
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  PG_PRIVATE_DIR=$(mktemp -d /tmp/palace-pg.XXXXXX)
  owner=$(id -un); [ "$owner" = root ] && owner=postgres  # initdb refuses to run as root
  chown "$owner" "$PG_PRIVATE_DIR"
  say "starting a private PostgreSQL on port $port in $PG_PRIVATE_DIR"
  as_root runuser -u "$owner" -- "$bin/initdb" -D "$PG_PRIVATE_DIR/data" -A trust -U postgres >/dev/null
  as_root runuser -u "$owner" -- "$bin/pg_ctl" -D "$PG_PRIVATE_DIR/data" -l "$PG_PRIVATE_DIR/log" -w \
    -o "-p $port -k $PG_PRIVATE_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
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
    apt_install chromium fonts-noto-cjk
  fi
}
