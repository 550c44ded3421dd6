"""Redaction: how every URL and secret this project prints is shown (a neutral module: any
stage may import it, it imports nothing of the project).

Two tools. `mask_password(url)` shows a URL with its password as `***`, however the password
is written (percent-encoded or raw, with `/`, `#`, `?` or `@` in it) and never raises.
`redact(text)` is the one point every message, log line and `--json` document passes through
on its way out (`tsedash.cli`): it masks every URL password in the text and every secret the
program has read (`remember_secret`: tokens, passwords, URL passwords), raw, stripped,
percent-encoded or inside a Basic Authorization header, wherever a server or library echoed it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_SECRET_QUERY_KEYS = re.compile(r"pass(word|wd)?|pwd|secret|token|api[-_]?key", re.IGNORECASE)
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<rest>.*)", re.DOTALL)
# A URL with credentials inside free text: scheme, user, ':', then anything up to the last '@'
# before the next whitespace or quote.
_URL_IN_TEXT = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s:/@'\"]*):(?P<pw>[^\s'\"]*)@"
)
MASK = "***"
_MIN_SECRET = 4  # shorter values would mask ordinary words
_secrets: set[str] = set()


def _userinfo(url: str) -> tuple[str, str, str, str] | None:
    """(scheme, user, password, what follows the '@') when the URL carries a password.

    Everything between the user name and the last '@' is the password, whatever it holds
    ('/', '#', '?', '@' included): a URL parser would cut it short and show the rest."""
    m = _SCHEME.match(url)
    if m is None:
        return None
    rest = m["rest"]
    at = rest.rfind("@")
    if at < 0 or ":" not in rest[:at]:
        return None
    user, password = rest[:at].split(":", 1)
    return m["scheme"], user, password, rest[at + 1 :]


def _mask_userinfo(url: str) -> str:
    parts = _userinfo(url)
    if parts is None:
        return url
    scheme, user, _, rest = parts
    return f"{scheme}{user}:{MASK}@{rest}"


def _mask_query(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(_SECRET_QUERY_KEYS.fullmatch(k) for k, _ in pairs):
        return url
    query = urlencode(
        [(k, MASK if _SECRET_QUERY_KEYS.fullmatch(k) else v) for k, v in pairs], safe="*"
    )
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def mask_password(url: str) -> str:
    """`postgres://user:secret@host/db` → `postgres://user:***@host/db`; others unchanged.

    Also masks secret-looking query parameters (`?password=…`, `?token=…`). Never raises.
    """
    return _mask_query(_mask_userinfo(url))


def url_password(url: str) -> str | None:
    """The password of a URL as written (raw or percent-encoded), or None."""
    parts = _userinfo(url)
    return (parts[2] or None) if parts else None


def remember_secret(value: str | None, user: str | None = None) -> None:
    """A secret the program read: from now on `redact` masks it in any text, in the forms a
    server or library may echo it (raw, stripped, percent-encoded or decoded, and, with `user`,
    as HTTP Basic credentials)."""
    if not value:
        return
    forms = {value, value.strip(), quote(value, safe=""), unquote(value)}
    if user is not None:
        forms.add(base64.b64encode(f"{user}:{value}".encode(errors="replace")).decode())
    _secrets.update(f for f in forms if len(f) >= _MIN_SECRET)


def remember_url(url: str | None) -> None:
    """The password of a URL the program will use (Redis, Grafana, Prometheus), remembered as a
    secret, with the Basic Authorization form an HTTP client makes of the URL's user and
    password (percent-decoded) that a server may echo."""
    parts = _userinfo(url) if url else None
    if parts is None or not parts[2]:
        return
    _, user, password, _ = parts
    remember_secret(password, user)
    remember_secret(unquote(password), unquote(user))


def redact(text: str) -> str:
    """`text` with every URL password and every remembered secret masked."""
    text = _URL_IN_TEXT.sub(lambda m: _mask_userinfo(m.group(0)), text)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def forget_secrets() -> None:
    """Tests: start from no remembered secret."""
    _secrets.clear()


def remember_environment(environ: Mapping[str, str]) -> None:
    """The secrets the environment hands us (Grafana's token or password, URLs with
    credentials), so that `redact` masks them in any output."""
    remember_secret(environ.get("GRAFANA_TOKEN"))
    remember_secret(environ.get("GRAFANA_PASSWORD"), environ.get("GRAFANA_USER"))
    remember_url(environ.get("GRAFANA_URL"))
    remember_url(environ.get("REDIS_URL"))
