"""deploy/: the systemd units, the nginx site and the compose file are valid and say what
the README promises; nginx with the site in front of a real Palace server behaves so."""

import configparser
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from bench import proxy
from tests.helpers import csrf_from
from tests.processes import free_port, web_server

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
INSTALLED = "/opt/palace/app"  # where the units and the site expect the checkout

needs_nginx = pytest.mark.skipif(proxy.nginx_binary() is None, reason="nginx is not installed")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(UNITS / name)
    return parser


@pytest.mark.parametrize("name", ["palace-web.service", "palace-worker@.service"])
def test_web_and_workers_restart_always_after_the_migration(name: str) -> None:
    unit = _unit(name)
    assert unit["Service"]["Restart"] == "always"
    assert unit["Service"]["EnvironmentFile"] == "/etc/palace/palace.env"
    assert "palace-migrate.service" in unit["Unit"]["Requires"].split()
    assert "palace-migrate.service" in unit["Unit"]["After"].split()


def test_the_web_unit_serves_several_processes_on_loopback_only() -> None:
    command = _unit("palace-web.service")["Service"]["ExecStart"].split()
    assert command[1:3] == ["serve", "--workers"] and int(command[3]) > 1
    assert command[command.index("--host") + 1] == "127.0.0.1"


def test_the_migration_is_a_oneshot_and_the_backup_has_a_timer() -> None:
    migrate = _unit("palace-migrate.service")["Service"]
    assert (migrate["Type"], migrate["ExecStart"].split()[1:]) == ("oneshot", ["migrate"])
    assert _unit("palace-backup.service")["Service"]["Type"] == "oneshot"
    assert _unit("palace-backup.timer")["Timer"]["OnCalendar"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_finds_nothing_wrong_in_the_units(tmp_path: Path) -> None:
    # The units name /opt/palace/app; verify wants their programs to exist, so point
    # copies at this checkout.
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(ROOT)))
    units = sorted(str(path) for path in tmp_path.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_compose_waits_for_healthy_services_and_a_finished_migration() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "proxy"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["palace", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker"):
        waits = services[name]["depends_on"]
        assert waits["migrate"]["condition"] == "service_completed_successfully"
        assert waits["redis"]["condition"] == "service_healthy"
        assert services[name]["restart"] == "always"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["worker"]["deploy"]["replicas"] >= 2
    # Only the proxy is reachable from outside.
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]


def test_the_dockerfile_installs_from_the_lock_files() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in text
    assert "npm ci" in text
    assert {"AS app", "AS proxy"} <= {line.split(" ", 2)[-1] for line in text.splitlines()}


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=palace.example.org", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@needs_nginx
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test certificate")
def test_nginx_accepts_the_site_as_shipped(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    site = proxy.SITE.read_text()
    site = site.replace("/etc/palace/tls/fullchain.pem", str(cert))
    site = site.replace("/etc/palace/tls/privkey.pem", str(key))
    (tmp_path / "palace.conf").write_text(site)
    # The site includes snippets/palace-locations.conf, relative to nginx's configuration.
    (tmp_path / "snippets").mkdir()
    shutil.copy(proxy.LOCATIONS, tmp_path / "snippets")
    config = tmp_path / "nginx.conf"
    config.write_text(proxy.main_config(tmp_path, f"include {tmp_path / 'palace.conf'};"))
    result = proxy.check(config)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[str]:
    """A Palace server with nginx in front of it, configured from deploy/nginx."""
    with web_server() as base:
        front = proxy.Proxy(tmp_path)
        port = free_port()
        front.start(upstreams=[base.removeprefix("http://")], listen=f"127.0.0.1:{port}")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            front.stop()


@needs_nginx
def test_nginx_compresses_caches_static_files_and_keeps_metrics_in(proxied: str) -> None:
    with httpx.Client(base_url=proxied, timeout=10) as client:
        versioned = client.get("/static/app.css?v=abc", headers={"Accept-Encoding": "gzip"})
        assert versioned.status_code == 200
        assert versioned.headers["Content-Encoding"] == "gzip"
        assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        plain = client.get("/static/app.css")
        assert plain.headers["Cache-Control"] == "no-cache"
        metrics = client.get("/metrics")
        # Refused by nginx itself, whatever Palace would have answered.
        assert (metrics.status_code, "<center>nginx" in metrics.text) == (404, True)
        # Palace answers for its own host name (the Host header passed on) and not others.
        assert "database" in client.get("/healthz").json()
        assert client.get("/healthz", headers={"Host": "elsewhere.example"}).status_code == 400


@needs_nginx
def test_a_form_posted_through_nginx_on_its_own_port_passes_the_origin_check(
    proxied: str,
) -> None:
    # The browser's Origin names the port; the Host nginx passes on must too, or every
    # form is refused as cross-site (403).
    with httpx.Client(base_url=proxied, timeout=10) as client:
        token = csrf_from(client.get("/login").text)
        form = {"login": "nobody", "password": "wrong-password-1", "csrf_token": token}
        answer = client.post("/login", data=form, headers={"Origin": proxied})
    assert answer.status_code != 403, answer.text[:300]
    assert answer.status_code in (200, 400)
