"""nginx in front of Palace on this machine, configured from deploy/nginx/.

The site's shared part (gzip, static files, forwarded headers, /metrics kept in) is
included as it is; only the upstream servers and the listening address are the bench's.
"""

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = ROOT / "deploy" / "nginx"
SITE = NGINX_DIR / "palace.conf"
LOCATIONS = NGINX_DIR / "palace-locations.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")

MAIN = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 2048; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
{http}
}}
"""


def static_cache_map() -> str:
    """The ``map`` that gives /static/ addresses their Cache-Control, as the site has it."""
    found = re.search(r"^map \$arg_v \$palace_static_cache \{.*?^\}", SITE.read_text(), re.M | re.S)
    if found is None:
        raise RuntimeError(f"{SITE} has no `map $arg_v $palace_static_cache` block")
    return found.group(0)


def bench_http(*, upstreams: list[str], listen: str) -> str:
    """The http block's content: the bench's upstream and server, the site's locations."""
    # A web process that stops answering is left alone for 2 s, then tried again.
    line = "    server {} max_fails=1 fail_timeout=2s;\n"
    servers = "".join(line.format(address) for address in upstreams)
    return (
        f"upstream palace {{\n{servers}    keepalive 32;\n}}\n"
        f"{static_cache_map()}\n"
        f"server {{\n    listen {listen};\n    set $palace_root {ROOT};\n"
        f"    include {LOCATIONS};\n}}\n"
    )


def main_config(directory: Path, http: str) -> str:
    # As root, nginx's workers would run as nobody and could not use the temp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    body = "\n".join(f"    {line}" if line else "" for line in http.splitlines())
    return MAIN.format(dir=directory, user=user, mime=MIME_TYPES, http=body)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (str(p) for p in (Path("/usr/sbin/nginx"),) if p.exists()), None
    )


def check(config: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on a main configuration file."""
    binary = nginx_binary() or "nginx"
    error_log = config.parent / "error.log"
    argv = [binary, "-t", "-q", "-p", str(config.parent), "-e", str(error_log), "-c", str(config)]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


@dataclass
class Proxy:
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, *, upstreams: list[str], listen: str) -> None:
        config = self.directory / "nginx.conf"
        http = bench_http(upstreams=upstreams, listen=listen)
        config.write_text(main_config(self.directory, http))
        result = check(config)
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {result.stderr.strip()}")
        log = (self.directory / "nginx.out").open("wb")
        binary = nginx_binary() or "nginx"
        argv = [binary, "-p", str(self.directory), "-e", str(self.directory / "error.log")]
        self.process = subprocess.Popen(
            [*argv, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        time.sleep(0.3)
        if self.process.poll() is not None:
            raise RuntimeError((self.directory / "error.log").read_text())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
