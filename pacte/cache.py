"""The cache the gunicorn workers share (pacte/settings.py, « Cache »; docs/performances.md, « Tableaux de bord sous
charge »): the key of every entry, and a Redis backend for which an unreachable Redis is a miss, not an error page."""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

journal = logging.getLogger(__name__)


def cle(cle: str, prefixe: str, version: int) -> str:
    """The entry's key carries the database's name, so two databases on one Redis (a test process each, a benchmark,
    a staging copy) never read each other's pages or API throttle counts; and the code's version, so a deployment
    never serves pages its predecessor's templates rendered (the Redis cache outlives the processes)."""
    from django.db import connections

    from pacte.version import version_code

    return f"{prefixe}:{connections['default'].settings_dict['NAME']}:{version_code()}:{version}:{cle}"


def _panne(operation: str, erreur: RedisError) -> None:
    journal.warning("Cache Redis injoignable (%s) : %s ; la page est calculée sans le cache.", operation, erreur)


class ClientRedisReutilise(RedisCacheClient):
    """Django builds a new ``redis.Redis`` at every cache call, and building one fills its table of reply callbacks:
    ≈ 1 ms of CPU per cached page (docs/performances.md, « le coût par requête »). One per connection pool, kept:
    a ``redis.Redis`` is thread-safe, its pool holds the connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]


class CacheRedisTolerant(RedisCache):
    """Django's Redis cache, where a Redis restart (docs/pannes.md) degrades to computing every page: a read is a
    miss, a write is skipped. The API throttles, which keep their counts here, let requests through meanwhile."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientRedisReutilise

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as erreur:
            _panne("lecture", erreur)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as erreur:
            _panne("lecture", erreur)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as erreur:
            _panne("écriture", erreur)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as erreur:
            _panne("écriture", erreur)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as erreur:
            _panne("suppression", erreur)
            return False
