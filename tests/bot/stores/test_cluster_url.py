"""redis-cluster:// URLs (REDIS_URL or endpoints.yml url) name seed nodes; errors never show the password."""

from __future__ import annotations

import pytest

from bot.stores.cluster import cluster_options


def test_nodes_login_and_options_are_read():
    options = cluster_options("rediss-cluster://app:s%40cret@10.0.0.5:7000,[::1]:7001?socket_timeout=2")
    assert [(n.host, n.port) for n in options["startup_nodes"]] == [("10.0.0.5", 7000), ("::1", 7001)]
    assert (options["username"], options["password"], options["ssl"]) == ("app", "s@cret", True)
    assert options["socket_timeout"] == 2.0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("redis-cluster://", "at least one node"),
        ("redis-cluster://h1", "needs host:port"),
        ("redis-cluster://:pw@h1:7000/3", "database 0 only"),
        ("redis-cluster://h1:7000?retries=3", "unknown option"),
    ],
)
def test_bad_cluster_urls_say_what_is_wrong(url, problem):
    with pytest.raises(ValueError, match=problem) as err:
        cluster_options(url)
    assert "pw" not in str(err.value)
