"""How Palace connects: PostgreSQL's pool per process, and what the URL may change."""

from palace.db import POOL_SIZE, connection_config


def test_each_process_may_open_ten_postgresql_connections_unless_the_url_says() -> None:
    plain = connection_config("postgresql://palace@db:5432/palace")["credentials"]
    assert plain["maxsize"] == POOL_SIZE == 10
    assert plain["reset"] is not None  # no RESET ALL round trip per released connection
    chosen = connection_config("postgres://palace@db:5432/palace?maxsize=4")["credentials"]
    assert int(chosen["maxsize"]) == 4


def test_sqlite_has_no_pool_setting() -> None:
    credentials = connection_config("sqlite:///tmp/palace.sqlite3")["credentials"]
    assert "maxsize" not in credentials
    assert credentials["busy_timeout"] == 15000
