"""Redis Cluster: a `redis-cluster://` URL names seed nodes; redis-py's `RedisCluster` finds the rest.

    REDIS_URL=redis-cluster://[user:password@]host:port[,host:port...][?socket_timeout=5]
    (rediss-cluster:// for TLS, with ssl_keyfile / ssl_certfile / ssl_ca_certs query arguments)

or in endpoints.yml `tracker_store: {url: "redis-cluster://10.0.0.5:7000,10.0.0.6:7000"}`. A cluster
has database 0 only. What Parley keeps there is cluster-safe: a command or script touches one slot.

    tracker:{sender}               the conversation's events (one list)
    lock:{sender}:tickets|serving|ticket:N   its lock: same slot as the tracker ({sender} hash tag)
    <slack prefix>event:{event_id} de-dup claims; media:<sha> a published file: single-key commands
    {parley-jobs}rq:...            RQ's keys (RQ_KEY_PREFIX): the whole queue in one slot, served by
                                   a plain client to that slot's master (bot/jobs/queue.py), as RQ
                                   has no cluster client; the reminder index lives there too
"""

from __future__ import annotations

from typing import Any

from redis.cluster import RedisCluster

from bot.cluster_url import CLUSTER_SCHEMES, cluster_options, is_cluster_url

__all__ = ["CLUSTER_SCHEMES", "cluster_options", "connect_cluster", "is_cluster", "is_cluster_url"]


def is_cluster(client: Any) -> bool:
    return isinstance(client, RedisCluster)


def connect_cluster(url: str) -> RedisCluster:
    return RedisCluster(**cluster_options(url))
