"""Redaction: how every URL and secret this project prints is shown (a neutral module: any
stage may import it, it imports nothing of the project)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_QUERY_KEYS = re.compile(r"pass(word|wd)?|pwd|secret|token|api[-_]?key", re.IGNORECASE)
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@]*):[^@/]*@")
MASK = "***"


def mask_password(url: str) -> str:
    """`postgres://user:secret@host/db` → `postgres://user:***@host/db`; others unchanged.

    Also masks secret-looking query parameters (`?password=…`, `?token=…`). Never raises: a URL
    that cannot be parsed is masked by pattern instead.
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(_SECRET_QUERY_KEYS.fullmatch(k) for k, _ in pairs):
                query = urlencode(
                    [(k, MASK if _SECRET_QUERY_KEYS.fullmatch(k) else v) for k, v in pairs],
                    safe="*",
                )
        if netloc == parts.netloc and query == parts.query:
            return url
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", url)
