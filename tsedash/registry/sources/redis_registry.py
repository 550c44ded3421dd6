"""Instances from the live Redis service registry, in the three forms the ecosystem writes.

- `services:{service}:{instance}`: the JSON audit-data-adapter-go writes at start-up (json tags
  `id`, `name`, `host`, `http_port`, `grpc_port`, `status`, `metadata`, `last_seen`; address
  `host:http_port`), or a hash of the same fields. Go struct field names (`ID`, `Host`, `Port`,
  `LastSeen`) are accepted too, matched case-insensitively.
- `registry:services:{service}`: the hash risk-monitor (and the orchestrator's registry script)
  writes, keyed by service type: `host`, `http_port`, `status`, `metadata` (a JSON string),
  `last_heartbeat` in Unix seconds. Neither writer names an instance (risk-monitor's metadata
  has no `instance_name`); when `metadata.instance_name` is there it names the instance, else
  the entry is marked `instance_named=False` and the merge decides, against the registry,
  whether it can stand for an instance at all (tsedash/registry/merge.py).
- `{namespace}:service:{id}`: the Go data adapters' untagged JSON (`ServiceName`, `ServiceID`,
  `Address`, `Port`, `LastHeartbeat`, …).

SCAN (never KEYS) in batches with a pipeline per batch, so 10,000 registrations cost a few
round trips and bounded memory. Expired, unhealthy, stale, malformed and contradictory entries
are reported with their key and the reason and left out, never fatal and never silent. A
server answering what no Redis sends (not the protocol, a string where HELLO's or HGETALL's
mapping is due) is a RedisBadAnswer naming the command and key (exit 3), never a crash.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from tsedash.deadline import within
from tsedash.errors import InputError, TsedashError
from tsedash.redact import mask_password
from tsedash.registry.addresses import address_problem
from tsedash.registry.sources.discovered import Discovered

if TYPE_CHECKING:
    import redis

# SCAN patterns, in the order a key is classified (a key is read once, by its first family).
PATTERNS = ("services:*", "registry:services:*", "*:service:*")
SCAN_COUNT = 1000
DEFAULT_STALE_AFTER = 45.0  # 3 x the 15 s heartbeat
HEALTHY = {"healthy", "up", "running", "ok", "passing", "active"}
WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}
CLOCK_SKEW = 300.0  # seconds a heartbeat may lie ahead of our clock
TOTAL_TIMEOUT = 60.0  # seconds for a whole discovery, a Redis that drips bytes included
_NUMBER = re.compile(r"[0-9]{1,15}(\.[0-9]{1,9})?", re.ASCII)
# The least a discovery user needs (docs/registry-sources.md).
MINIMAL_ACL = "~services:* ~registry:services:* ~*:service:* +@read +scan"


class RedisUnreachable(TsedashError):
    exit_code = 3


class RedisAuthFailed(InputError):
    """Wrong user or password: the input is wrong, exit 2."""


class RedisBadAnswer(TsedashError):
    """The server answered what no Redis server sends (not the protocol, a string where a map
    is due, a short pipeline answer): a remote failure, exit 3, naming the command and key."""

    exit_code = 3


T = TypeVar("T")
# What redis-py raises when it reads an answer of the wrong type without checking it (a bytes
# HELLO answer: "'bytes' object has no attribute 'get'").
_MALFORMED = (AttributeError, TypeError, ValueError, IndexError, KeyError, UnicodeDecodeError)


@dataclass
class Skipped:
    key: str
    reason: str


@dataclass
class RedisDiscovery:
    url: str  # masked
    found: list[Discovered] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    scanned: int = 0


def _lower_keys(value: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower().replace("_", ""): v for k, v in value.items()}


def _timestamp(value: Any) -> float | None:
    """RFC 3339 (Go's time.Time in JSON) or Unix seconds/milliseconds; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        try:
            number = float(value)
        except OverflowError:
            return None
        if not math.isfinite(number):
            return None
        return number / 1000 if number > 1e11 else number
    if isinstance(value, str) and value:
        text = value.replace("Z", "+00:00")
        if "." in text:  # Go writes nanoseconds; Python parses up to microseconds
            head, _, tail = text.partition(".")
            digits = "".join(c for c in tail if c.isdigit())
            rest = tail[len(digits) :]
            text = f"{head}.{digits[:6]}{rest}"
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class _KeyForm:
    family: str  # tagged · hash · untagged
    service: str  # from the key; empty when only the value says
    instance: str  # from the key; empty when only the value says


def classify(key: str) -> _KeyForm | str:
    """Which registration family a key belongs to, or why it fits none."""
    parts = key.split(":")
    if parts[0] == "services":
        if len(parts) == 3 and parts[1] and parts[2]:
            return _KeyForm("tagged", parts[1], parts[2])
        return "key is not services:{service}:{instance}"
    if parts[:2] == ["registry", "services"]:
        if len(parts) == 3 and parts[2]:
            return _KeyForm("hash", parts[2], "")
        return "key is not registry:services:{service}"
    if len(parts) == 3 and parts[1] == "service" and parts[0] and parts[2]:
        return _KeyForm("untagged", "", parts[2])
    return "key is not {namespace}:service:{id}"


def _decode(raw: Any) -> dict[str, Any] | str:
    if isinstance(raw, dict):  # hash form
        try:
            return {
                k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                for k, v in raw.items()
            }
        except UnicodeDecodeError:
            return "a hash field is not UTF-8"
    try:
        value = json.loads(raw)
    except (ValueError, TypeError, UnicodeDecodeError):
        return "value is not JSON"
    except RecursionError:
        return "value is nested too deeply"
    return value if isinstance(value, dict) else "value is not a JSON object"


def _address(fields: dict[str, Any]) -> tuple[bool, str | None]:
    """(stated, host:port): a wildcard host (0.0.0.0) states a port but no reachable address."""
    host = str(fields.get("address") or fields.get("host") or "")
    port = fields.get("httpport") or fields.get("port")
    if ":" in host.strip("[]") and not port and host not in WILDCARD_HOSTS:
        return True, host
    if not str(port or "").isdigit():
        return False, None
    if host in WILDCARD_HOSTS:
        return True, None  # it listens everywhere: the registry's or the default address applies
    return True, f"{host}:{port}"


def _identity(form: _KeyForm, fields: dict[str, Any], meta: dict[str, Any]) -> tuple[str, str]:
    """(service, instance) as the value states them, falling back to the key."""
    if form.family == "untagged":
        return str(fields.get("servicename") or ""), str(fields.get("serviceid") or form.instance)
    service = str(meta.get("servicetype") or fields.get("name") or form.service)
    if form.family == "hash":  # keyed by service: the instance only when metadata names it
        return service, str(meta.get("instancename") or service)
    return service, str(meta.get("instancename") or fields.get("id") or form.instance)


def parse_registration(
    key: str, raw: Any, now: float, stale_after: float, url: str = "redis"
) -> Discovered | str:
    """A Discovered instance (`url`: the masked Redis URL, for messages), or the reason the
    entry is left out."""
    form = classify(key)
    if isinstance(form, str):
        return form
    value = _decode(raw)
    if isinstance(value, str):
        return value
    fields = _lower_keys(value)
    meta = fields.get("metadata") or {}
    if isinstance(meta, str):
        try:
            meta = json.loads(meta) if meta else {}
        except ValueError:
            return "metadata is not JSON"
    meta = _lower_keys(meta) if isinstance(meta, dict) else {}
    status = str(fields.get("status", "")).lower()
    # The untagged adapters' ServiceInfo has no status: being registered is all it says.
    if status not in HEALTHY and not (form.family == "untagged" and "status" not in fields):
        return f"status {fields.get('status')!r} is not healthy"
    stamp_key = next((k for k in ("lastseen", "lastheartbeat") if k in fields), "lastseen")
    last_seen = _timestamp(fields.get(stamp_key))
    if last_seen is None and fields.get(stamp_key) not in (None, ""):
        return f"{stamp_key} {fields.get(stamp_key)!r} is not a timestamp"
    if last_seen is not None and now - last_seen > stale_after:
        return f"stale: last heartbeat {now - last_seen:.0f}s ago (more than {stale_after:g}s)"
    if last_seen is not None and last_seen - now > CLOCK_SKEW:
        return f"{stamp_key} is {last_seen - now:.0f}s in the future: a clock or a value is wrong"
    service, instance = _identity(form, fields, meta)
    if not service:
        return "value has no ServiceName"
    if (form.service and service != form.service) or (
        form.family != "hash" and form.instance and instance != form.instance
    ):
        shown = f"{form.service or '?'}/{form.instance or '?'}"
        return f"value says {service}/{instance}, key says {shown}"
    stated, address = _address(fields)
    if not stated:
        return "no host/address and http_port/port"
    reason = address_problem(address) if address else None
    if reason:
        return reason
    named = form.family != "hash" or bool(meta.get("instancename"))
    return Discovered(
        service, instance, address, "redis", url, 0, None, key=key, instance_named=named
    )


def discover(
    url: str,
    stale_after: float = DEFAULT_STALE_AFTER,
    timeout: float = 5.0,
    total_timeout: float = TOTAL_TIMEOUT,
) -> RedisDiscovery:
    """Every registration in the Redis at `url`, bounded in total time (`total_timeout`): a
    per-read timeout alone never ends a server that answers a byte at a time."""
    shown = mask_password(url)
    return within(
        total_timeout,
        lambda: _discover(url, shown, stale_after, timeout),
        lambda: RedisUnreachable(f"{shown}: no complete answer within {total_timeout:g}s"),
    )


def _discover(url: str, shown: str, stale_after: float, timeout: float) -> RedisDiscovery:
    import redis  # only `--discover` pays for it

    result = RedisDiscovery(shown)
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    except ValueError:  # its text may quote part of the password: not shown
        raise InputError(
            f"{shown}: not a Redis URL (redis://user:password@host:6379/0; percent-encode "
            "'/', '#', '?' and '@' in the password)"
        ) from None
    now = time.time()
    seen: set[str] = set()
    try:
        pool = client.connection_pool  # connect first: a broken handshake is named as such
        pool.release(_ask(shown, "the connection handshake (HELLO)", pool.get_connection))
        for pattern in PATTERNS:
            cursor = 0
            while True:
                cursor, keys = _scan(client, shown, cursor, pattern)
                fresh = [k for k in map(_key_name, keys) if k not in seen]
                seen.update(fresh)
                if fresh:
                    _read_batch(client, fresh, now, stale_after, result)
                if cursor == 0:
                    break
    except redis.AuthenticationError:
        raise RedisAuthFailed(
            f"{shown}: authentication failed (check the user and password in the URL or REDIS_URL)"
        ) from None
    except redis.exceptions.NoPermissionError as exc:
        raise RedisAuthFailed(
            f"{shown}: permission denied ({exc}); the user needs {MINIMAL_ACL}"
        ) from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise RedisUnreachable(f"{shown}: cannot reach Redis ({type(exc).__name__})") from None
    except redis.ResponseError as exc:  # e.g. a database number the server does not have
        raise InputError(f"{shown}: Redis refused the request ({exc})") from None
    finally:
        client.close()
    result.found.sort(key=lambda d: (d.service, d.name))
    result.skipped.sort(key=lambda s: s.key)
    return result


def _key_name(key: Any) -> str:
    """A key as text; bytes that are not UTF-8 are shown escaped (and such a key is skipped:
    no service writes one)."""
    if isinstance(key, bytes):
        return key.decode("utf-8", errors="backslashreplace")
    return str(key)


def _ask(shown: str, step: str, call: Callable[[], T]) -> T:
    """A redis-py call whose answer may be malformed: redis-py reads an answer without checking
    its type, so a hostile or broken server would crash it; that is a RedisBadAnswer naming
    `step` (connection and permission errors pass through to their own handlers)."""
    import redis

    try:
        return call()
    except redis.exceptions.InvalidResponse:  # its text quotes the server's bytes: not shown
        raise RedisBadAnswer(
            f"{shown}: Redis answered {step} with something that is not the Redis protocol"
        ) from None
    except _MALFORMED as exc:
        raise RedisBadAnswer(
            f"{shown}: Redis answered {step} with a value of the wrong type "
            f"({type(exc).__name__}: not what a Redis server sends)"
        ) from None


def _type_name(value: Any) -> str:
    if isinstance(value, bytes | str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "nothing" if value is None else f"a {type(value).__name__}"


def _scan(client: redis.Redis, shown: str, cursor: int, pattern: str) -> tuple[int, list[Any]]:
    step = f"SCAN {cursor} MATCH {pattern}"
    answer = _ask(shown, step, lambda: client.scan(cursor=cursor, match=pattern, count=SCAN_COUNT))
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise RedisBadAnswer(f"{shown}: Redis answered {step} with {_type_name(answer)}")
    next_cursor, keys = answer
    if not isinstance(next_cursor, int) or next_cursor < 0:
        raise RedisBadAnswer(f"{shown}: Redis answered {step} with a cursor that is no number")
    if not isinstance(keys, list) or not all(isinstance(k, bytes | str) for k in keys):
        raise RedisBadAnswer(f"{shown}: Redis answered {step} with {_type_name(keys)} of keys")
    return next_cursor, keys


def _batch_name(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]} and {len(keys) - 1} more keys"


def _read_batch(
    client: redis.Redis, keys: list[str], now: float, stale_after: float, result: RedisDiscovery
) -> None:
    shown = result.url
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
        pipe.pttl(key)
    meta = _ask(shown, f"TYPE and PTTL of {_batch_name(keys)}", pipe.execute)
    if not isinstance(meta, list) or len(meta) != 2 * len(keys):
        raise RedisBadAnswer(
            f"{shown}: Redis answered TYPE and PTTL of {_batch_name(keys)} with "
            f"{len(meta) if isinstance(meta, list) else _type_name(meta)} answers for "
            f"{2 * len(keys)} commands"
        )
    pipe = client.pipeline(transaction=False)
    wanted: list[tuple[str, str]] = []  # (key, kind)
    for i, key in enumerate(keys):
        kind_raw, ttl = meta[2 * i], meta[2 * i + 1]
        if not isinstance(kind_raw, bytes | str) or not isinstance(ttl, int):
            raise RedisBadAnswer(
                f"{shown}: Redis answered TYPE {key} with {_type_name(kind_raw)} and PTTL {key} "
                f"with {_type_name(ttl)} (a type name and a number are due)"
            )
        kind = kind_raw.decode(errors="replace") if isinstance(kind_raw, bytes) else kind_raw
        if ttl == -2 or kind == "none":
            result.skipped.append(Skipped(key, "expired (TTL ran out between SCAN and read)"))
            continue
        if kind == "string":
            pipe.get(key)
        elif kind == "hash":
            pipe.hgetall(key)
        else:
            result.skipped.append(Skipped(key, f"a {kind}, not a string or hash"))
            continue
        wanted.append((key, kind))
    step = f"GET/HGETALL of {_batch_name([k for k, _ in wanted])}" if wanted else ""
    values = _ask(shown, step, pipe.execute) if wanted else []
    if not isinstance(values, list) or len(values) != len(wanted):
        raise RedisBadAnswer(f"{shown}: Redis answered {step} with a short or malformed answer")
    result.scanned += len(keys)
    for (key, kind), raw in zip(wanted, values, strict=True):
        if raw is None:
            result.skipped.append(Skipped(key, "expired (TTL ran out between SCAN and read)"))
            continue
        due = (dict,) if kind == "hash" else (bytes, str)
        if not isinstance(raw, due):
            command, shape = ("HGETALL", "a mapping") if kind == "hash" else ("GET", "a string")
            raise RedisBadAnswer(
                f"{shown}: Redis answered {command} {key} with {_type_name(raw)} where {shape} "
                "is due"
            )
        try:
            parsed = parse_registration(key, raw, now, stale_after, result.url)
        except Exception as exc:  # one unusable entry never aborts the discovery
            parsed = f"unreadable value ({type(exc).__name__})"
        if isinstance(parsed, str):
            result.skipped.append(Skipped(key, parsed))
        else:
            result.found.append(parsed)
