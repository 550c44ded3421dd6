"""Instances from the live Redis service registry: `services:{service}:{instance}` keys.

SCAN (never KEYS) in batches with a pipeline per batch, so 10,000 registrations cost a few
round trips and bounded memory. Values are the JSON the ecosystem's Go data adapters write:
struct field names (`ID`, `Name`, `Address`/`Host`, `Port`, `Status`, `Metadata`, `LastSeen`)
or their json tags (`id`, `host`, `last_seen`, …), matched case-insensitively; a hash with the
same field names (and `metadata` as a JSON string) is accepted too. Expired, unhealthy, stale
and malformed entries are reported and left out, never fatal.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis

from tsedash.errors import InputError, TsedashError
from tsedash.identity import mask_password
from tsedash.registry.sources.discovered import Discovered

PATTERN = "services:*:*"
SCAN_COUNT = 1000
DEFAULT_STALE_AFTER = 45.0  # 3 x the 15 s heartbeat
HEALTHY = {"healthy", "up", "running", "ok", "passing", "active"}


class RedisUnreachable(TsedashError):
    exit_code = 3


class RedisAuthFailed(InputError):
    """Wrong user or password: the input is wrong, exit 2."""


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
    """RFC 3339 (Go's time.Time in JSON) or Unix seconds/milliseconds."""
    if isinstance(value, int | float) or (
        isinstance(value, str) and value.replace(".", "").isdigit()
    ):
        number = float(value)
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


def parse_registration(
    key: str, raw: Any, now: float, stale_after: float, url: str = "redis"
) -> Discovered | str:
    """A Discovered instance (`url`: the masked Redis URL, for messages), or the reason the
    entry is left out."""
    _, _, rest = key.partition(":")
    service, sep, instance = rest.partition(":")
    if not sep or not service or not instance:
        return "key is not services:{service}:{instance}"
    if isinstance(raw, dict):  # hash form
        value: Any = {
            k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
            for k, v in raw.items()
        }
    else:
        try:
            value = json.loads(raw)
        except (ValueError, TypeError, UnicodeDecodeError):
            return "value is not JSON"
    if not isinstance(value, dict):
        return "value is not a JSON object"
    fields = _lower_keys(value)
    meta = fields.get("metadata") or {}
    if isinstance(meta, str):
        try:
            meta = json.loads(meta) if meta else {}
        except ValueError:
            return "metadata is not JSON"
    meta = _lower_keys(meta) if isinstance(meta, dict) else {}
    status = str(fields.get("status", "")).lower()
    if status not in HEALTHY:
        return f"status {fields.get('status')!r} is not healthy"
    last_seen = _timestamp(fields.get("lastseen"))
    if last_seen is None and fields.get("lastseen") not in (None, ""):
        return f"last_seen {fields.get('lastseen')!r} is not a timestamp"
    if last_seen is not None and now - last_seen > stale_after:
        return f"stale: last heartbeat {now - last_seen:.0f}s ago (more than {stale_after:g}s)"
    declared_type = str(meta.get("servicetype") or service)
    declared_name = str(meta.get("instancename") or fields.get("id") or instance)
    if (declared_type, declared_name) != (service, instance):
        return f"value says {declared_type}/{declared_name}, key says {service}/{instance}"
    host = str(fields.get("address") or fields.get("host") or "")
    port = fields.get("port")
    if ":" in host and not port:
        address: str | None = host
    elif host and str(port or "").isdigit():
        address = f"{host}:{port}"
    else:
        return "no host/address and port"
    return Discovered(service, instance, address, "redis", url, 0, None)


def discover(
    url: str, stale_after: float = DEFAULT_STALE_AFTER, timeout: float = 5.0
) -> RedisDiscovery:
    shown = mask_password(url)
    result = RedisDiscovery(shown)
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    except ValueError as exc:
        raise InputError(f"{shown}: not a Redis URL ({exc})") from None
    now = time.time()
    try:
        cursor = 0
        while True:
            cursor, keys = client.scan(cursor=cursor, match=PATTERN, count=SCAN_COUNT)
            if keys:
                names = [k.decode() if isinstance(k, bytes) else str(k) for k in keys]
                _read_batch(client, names, now, stale_after, result)
            if cursor == 0:
                break
    except redis.AuthenticationError:
        raise RedisAuthFailed(
            f"{shown}: authentication failed (check the user and password in the URL or REDIS_URL)"
        ) from None
    except redis.exceptions.NoPermissionError as exc:
        raise RedisAuthFailed(
            f"{shown}: permission denied ({exc}); the user needs ~services:* and +@read"
        ) from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise RedisUnreachable(f"{shown}: cannot reach Redis ({type(exc).__name__})") from None
    finally:
        client.close()
    result.found.sort(key=lambda d: (d.service, d.name))
    result.skipped.sort(key=lambda s: s.key)
    return result


def _read_batch(
    client: redis.Redis, keys: list[str], now: float, stale_after: float, result: RedisDiscovery
) -> None:
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
        pipe.pttl(key)
    meta = pipe.execute()
    pipe = client.pipeline(transaction=False)
    wanted = []
    for i, key in enumerate(keys):
        kind_raw, ttl = meta[2 * i], meta[2 * i + 1]
        kind = kind_raw.decode() if isinstance(kind_raw, bytes) else str(kind_raw)
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
        wanted.append(key)
    values = pipe.execute() if wanted else []
    result.scanned += len(keys)
    for key, raw in zip(wanted, values, strict=True):
        if raw is None:
            result.skipped.append(Skipped(key, "expired (TTL ran out between SCAN and read)"))
            continue
        parsed = parse_registration(key, raw, now, stale_after, result.url)
        if isinstance(parsed, str):
            result.skipped.append(Skipped(key, parsed))
        else:
            result.found.append(parsed)
