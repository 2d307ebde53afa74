"""`redis-cluster://[user:password@]host:port[,host:port...][?socket_timeout=5]` (rediss-cluster:// for TLS):
a Redis Cluster's seed nodes, read into redis-py `RedisCluster` arguments. Read by the config check of
REDIS_URL and by bot/stores/cluster.py (a module of its own, so bot.config need not import the stores)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote

from redis.cluster import ClusterNode

CLUSTER_SCHEMES = ("redis-cluster://", "rediss-cluster://")
_FLOATS = ("socket_timeout", "socket_connect_timeout")
_SSL = ("ssl_keyfile", "ssl_certfile", "ssl_ca_certs")


def is_cluster_url(url: str) -> bool:
    return url.startswith(CLUSTER_SCHEMES)


def cluster_options(url: str) -> dict[str, Any]:
    """RedisCluster's keyword arguments for `url`; ValueError saying what is wrong (never the password)."""
    scheme, _, rest = url.partition("://")
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    login, _, hosts = netloc.rpartition("@")
    nodes = []
    for item in filter(None, hosts.split(",")):
        host, sep, port = item.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"cluster node {item!r} needs host:port (e.g. 10.0.0.5:7000)")
        nodes.append(ClusterNode(host.strip("[]"), int(port)))
    if not nodes:
        raise ValueError("a redis-cluster:// URL names at least one node (host:port)")
    args = {k: v[-1] for k, v in parse_qs(query).items()}
    db = args.pop("db", None) or path.strip("/") or "0"
    if db != "0":
        raise ValueError(f"a Redis Cluster has database 0 only, not {db}")
    options: dict[str, Any] = {
        "startup_nodes": nodes,
        "socket_timeout": 5.0,
        "socket_connect_timeout": 3.0,
        "ssl": scheme == "rediss-cluster",
    }
    if login:
        user, _, password = login.partition(":")
        options["username"] = unquote(user) or None
        options["password"] = unquote(password) or None
    for key in _FLOATS:
        if key in args:
            options[key] = float(args.pop(key))
    for key in _SSL:
        if key in args:
            options[key] = args.pop(key)
    if args:
        raise ValueError(f"unknown option(s) in the cluster URL: {', '.join(sorted(args))}")
    return options
