"""The `tracker_store:` and `lock_store:` sections of `endpoints.yml` (Rasa 3 keys) and the Redis they name.

    tracker_store:
      type: redis              # the one type Parley has; Rasa's sql, mongod, dynamo, in_memory are refused
      url: redis.internal      # Rasa: a host name. Parley also takes a redis://, rediss:// or unix:// URL,
                               # or a Redis Cluster's seed nodes: redis-cluster://h1:7000,h2:7000
      port: 6379
      db: 0
      username: parley         # Redis 6 ACL user (optional)
      password: ...            # never logged, never in an error message
      use_ssl: false           # with ssl_keyfile, ssl_certfile, ssl_ca_certs
      socket_timeout: 5        # seconds
      key_prefix: "tracker:"
      record_exp: 0            # tracker store only: seconds a conversation is kept; 0 = forever
      max_events: 20000        # tracker store only (Parley's): events in a conversation's live list, older
                               # sessions past it move to an archive key; 0 = no cap
    lock_store:
      ...the same connection keys...
      lifetime: 5              # lock store only (or `lock_lifetime`): seconds a crashed worker holds a lock
                               # (a live holder renews it every lifetime/3; Rasa's default is 60)

Which Redis, in order: `REDIS_URL` from the environment is the whole connection of both stores (the
connection keys it replaces are named in a start-up warning); else the section's `url` when it is a full
URL (the other keys may add what the URL leaves out; a key the URL also sets is an error); else `url` (as
in Rasa, a host name) or `host`, with `port`, `db`, `username`, `password`, `use_ssl`; else, for the
tracker store, the embedded Redis, and for the lock store, the tracker store's Redis (`db` and
`socket_timeout` still apply). A key with nothing to apply to (a `password` without a host) is an error.

`load_section` reads a section: each key through `nlu.yamlio.validate`, then `check()`, the rules between
keys (a URL and a host, a password without a host...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import SplitResult, quote, urlencode, urlsplit, urlunsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator

from nlu.yamlio import ConfigFileError, validate

SUPPORTED_TYPES = ("redis",)
URL_SCHEMES = ("redis://", "rediss://", "unix://", "redis-cluster://", "rediss-cluster://")
_SSL_FILES = ("ssl_keyfile", "ssl_certfile", "ssl_ca_certs")
# where the server is and how to talk to it; REDIS_URL replaces all of them
CONNECTION_KEYS = (
    "url",
    "host",
    "port",
    "db",
    "username",
    "password",
    "use_ssl",
    *_SSL_FILES,
    "socket_timeout",
)
_NEED_A_HOST = ("port", "username", "password", "use_ssl", *_SSL_FILES)


class KeyProblem(ValueError):
    """A problem with one key of a section, raised where pydantic knows only the section."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{problem}")
        self.key = key


class RedisStoreConfig(BaseModel):
    """The keys both sections share. Unknown keys and wrong types are refused (`extra="forbid"`, strict)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    without_host: ClassVar[str] = "without them Parley uses the embedded Redis"

    type: str = "redis"
    url: str | None = None
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    db: int = Field(0, ge=0)
    username: str | None = None
    password: SecretStr | None = None
    use_ssl: bool = False
    ssl_keyfile: str | None = None
    ssl_certfile: str | None = None
    ssl_ca_certs: str | None = None
    socket_timeout: float | None = Field(None, gt=0)
    key_prefix: str = ""

    @field_validator("type")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value.lower() not in SUPPORTED_TYPES:
            raise ValueError(
                f"not supported; supported types: {', '.join(SUPPORTED_TYPES)} "
                "(leave out url and host for the embedded Redis)"
            )
        return value.lower()

    def check(self) -> None:
        """The rules between keys (pydantic checks each key alone). Raises `KeyProblem` naming the key.

        Not a pydantic model validator: its error would carry the whole section, password included."""
        given = self.model_fields_set
        if self.full_url is not None:
            parts = urlsplit(self.full_url)
            clashes = [k for k in ("host", "port") if k in given]
            clashes += [k for k in ("username", "password") if k in given and getattr(parts, k)]
            clashes += ["db"] if "db" in given and _names_a_db(parts) else []
            if clashes:
                raise KeyProblem(clashes[0], "also set by `url`; give it in one place")
            if self.use_ssl and parts.scheme != "rediss":
                raise KeyProblem("use_ssl", "true needs a rediss:// url (or give `host` instead of `url`)")
            tls = parts.scheme == "rediss"
        else:
            if self.url is not None and self.host is not None:
                raise KeyProblem("host", "`url` and `host` both name the server; give one")
            loose = [k for k in _NEED_A_HOST if k in given]
            if self.url is None and self.host is None and loose:
                raise KeyProblem(loose[0], f"needs `host` or `url` to apply to ({self.without_host})")
            tls = self.use_ssl
        loose_ssl = [k for k in _SSL_FILES if k in given]
        if loose_ssl and not tls:
            raise KeyProblem(loose_ssl[0], "needs use_ssl: true (or a rediss:// url)")

    @property
    def full_url(self) -> str | None:
        return self.url if self.url and self.url.startswith(URL_SCHEMES) else None

    def connection_keys(self) -> list[str]:
        """The connection keys this section sets, by name (for the REDIS_URL warning; never their values)."""
        return [k for k in CONNECTION_KEYS if k in self.model_fields_set]

    def redis_url(self) -> str | None:
        """The URL these keys name, credentials included (show it only through `describe_url`);
        None when they name no server."""
        query = {k: getattr(self, k) for k in _SSL_FILES if getattr(self, k)}
        if self.full_url is not None:
            parts = urlsplit(self.full_url)
            if self.username or self.password:  # the URL sets neither of those it is given (checked above)
                user = quote(self.username, safe="") if self.username else parts.username or ""
                secret = _quoted(self.password) if self.password else parts.password or ""
                login = f"{user}:{secret}" if secret else user
                parts = parts._replace(netloc=f"{login}@{parts.netloc.rsplit('@', 1)[-1]}")
            return self.on(_with_query(_unsplit(parts), query))
        host = self.url or self.host
        if host is None:
            return None
        login = quote(self.username or "", safe="") + (f":{_quoted(self.password)}" if self.password else "")
        netloc = (f"{login}@" if login else "") + (f"[{host}]" if ":" in host else host)
        netloc += f":{self.port or 6379}"
        if self.socket_timeout is not None:
            query["socket_timeout"] = self.socket_timeout
        return _with_query(f"{'rediss' if self.use_ssl else 'redis'}://{netloc}/{self.db}", query)

    def on(self, url: str) -> str:
        """`url` with this section's `db` and `socket_timeout`, where set (a query argument wins over the
        URL's path in redis-py)."""
        given = self.model_fields_set
        options = {k: getattr(self, k) for k in ("db", "socket_timeout") if k in given}
        return _with_query(url, options)


DEFAULT_MAX_EVENTS = 20_000  # per conversation's live list (older sessions beyond it are archived)


class TrackerStoreConfig(RedisStoreConfig):
    key_prefix: str = "tracker:"
    record_exp: int = Field(0, ge=0)
    max_events: int = Field(DEFAULT_MAX_EVENTS, ge=0)

    @field_validator("record_exp", mode="before")
    @classmethod
    def _forever(cls, value: Any) -> Any:
        return 0 if value is None else value  # Rasa writes `record_exp: null` for "keep forever"


class LockStoreConfig(RedisStoreConfig):
    without_host: ClassVar[str] = "without them the lock store shares the tracker store's Redis"

    key_prefix: str = "lock:"
    lifetime: float = Field(5.0, gt=0, validation_alias=AliasChoices("lifetime", "lock_lifetime"))


_Section = TypeVar("_Section", bound=RedisStoreConfig)


def load_section(model: type[_Section], raw: Any, *, path: Path, key: str) -> _Section:
    """The `key:` section of endpoints.yml as `model`: each key through `nlu.yamlio.validate` (Parley's
    one validation; it never shows a password), then the rules between keys. Raises `ConfigFileError`."""
    if raw is None:
        return model()
    if isinstance(raw, dict) and {"lifetime", "lock_lifetime"} <= set(raw):
        raise _key_error(path, raw, key, "lock_lifetime", "the same setting as `lifetime`; give one")
    section = validate(model, raw, path=path, key_prefix=key)
    try:
        section.check()
    except KeyProblem as exc:
        raise _key_error(path, raw, key, exc.key, str(exc)) from None
    return section


def _key_error(path: Path, raw: Any, section: str, key: str, problem: str) -> ConfigFileError:
    line = raw.line_of(key) if hasattr(raw, "line_of") else None
    return ConfigFileError(path, line, problem, key=f"{section}.{key}")


def store_urls(
    env_url: str | None, tracker: TrackerStoreConfig, lock: LockStoreConfig, embedded_url: str | None
) -> tuple[str, str]:
    """(tracker URL, lock URL). `embedded_url` is used only when nothing else names a server."""
    if env_url:
        return env_url, env_url
    tracker_url = tracker.redis_url() or (tracker.on(embedded_url) if embedded_url else None)
    if tracker_url is None:
        raise ValueError("no Redis named and no embedded Redis given")
    return tracker_url, lock.redis_url() or lock.on(tracker_url)


def describe_url(url: str) -> str:
    """`url` without username, password and query: safe for logs and error messages."""
    scheme, _, rest = url.partition("?")[0].partition("://")
    netloc, slash, path = rest.partition("/")
    return f"{scheme}://{netloc.rsplit('@', 1)[-1]}{slash}{path}"


def _with_query(url: str, options: dict[str, Any]) -> str:
    """`url` with `options` as query arguments, replacing any of the same name (string-wise, so that
    `unix:///path` keeps its three slashes)."""
    if not options:
        return url
    base, _, query = url.partition("?")
    kept = [q for q in query.split("&") if q and q.split("=", 1)[0] not in options]
    return f"{base}?{'&'.join([*kept, urlencode(options)])}"


def _unsplit(parts: SplitResult) -> str:
    url = urlunsplit(parts)
    return url.replace("unix:/", "unix:///", 1) if parts.scheme == "unix" and not parts.netloc else url


def _quoted(secret: SecretStr) -> str:
    return quote(secret.get_secret_value(), safe="")


def _names_a_db(parts: SplitResult) -> bool:
    in_path = parts.scheme != "unix" and parts.path.strip("/") != ""
    return in_path or any(q.startswith("db=") for q in parts.query.split("&"))
