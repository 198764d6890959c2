"""Two of ProcessMaker's PHP encodings, read here: `serialize()`d arrays (AUTH_SOURCE_DATA) and
`G::encrypt()` (an authentication source's search password).

Only what those columns hold is read: arrays, strings, integers, booleans, floats and nulls. Anything
else is a ValueError, never code: PHP objects are not brought to life here.
"""

from __future__ import annotations

import base64
import re
from typing import Any

G_ENCRYPT_MARKER = "_2NnV3ujj3w"  # what ProcessMaker's LDAP classes append to a G::encrypt()ed password


def unserialize(text: str) -> Any:
    """The value a PHP `serialize()` string holds (arrays as dicts, keyed as in PHP)."""
    data = text.encode("utf-8")
    value, end = _value(data, 0)
    if end != len(data):
        raise ValueError("trailing data after the serialized value")
    return value


_SCALAR = re.compile(rb"([idb]):([^;]*);")


def _value(data: bytes, at: int) -> tuple[Any, int]:
    kind = data[at : at + 1]
    if kind == b"N":
        return None, at + 2
    if kind in (b"i", b"d", b"b"):
        found = _SCALAR.match(data, at)
        if not found:
            raise ValueError(f"bad {kind.decode()} value at {at}")
        raw = found.group(2).decode()
        value: Any = int(raw) if kind == b"i" else (raw == "1" if kind == b"b" else float(raw))
        return value, found.end()
    if kind == b"s":
        colon = data.index(b":", at + 2)
        length = int(data[at + 2 : colon])
        start = colon + 2  # past :"
        if data[start - 1 : start] != b'"' or data[start + length : start + length + 2] != b'";':
            raise ValueError(f"bad string at {at}")
        return data[start : start + length].decode("utf-8", "replace"), start + length + 2
    if kind == b"a":
        colon = data.index(b":", at + 2)
        count = int(data[at + 2 : colon])
        position = colon + 2  # past :{
        items: dict[Any, Any] = {}
        for _ in range(count):
            key, position = _value(data, position)
            items[key], position = _value(data, position)
        if data[position : position + 1] != b"}":
            raise ValueError(f"bad array end at {position}")
        return items, position + 1
    raise ValueError(f"unsupported serialized value {kind!r} at {at}")


def g_decrypt(stored: str, key: str) -> str:
    """The plain text of ProcessMaker's `G::encrypt($text, $key)` (with or without the LDAP classes'
    marker): base64 with `°` for `/` and no padding, each byte raised by a byte of the key (the one
    at index `(i % len(key)) - 1`, PHP's -1 being the last), modulo 256."""
    body = stored.removesuffix(G_ENCRYPT_MARKER).replace("°", "/").replace("\xb0", "/")
    raw = base64.b64decode(body + "=" * (-len(body) % 4))
    key_bytes = key.encode("utf-8")
    if not key_bytes:
        raise ValueError("no key")
    plain = bytes((byte - key_bytes[(i % len(key_bytes)) - 1]) % 256 for i, byte in enumerate(raw))
    return plain.decode("utf-8")


def g_encrypt(text: str, key: str) -> str:
    """ProcessMaker's `G::encrypt` with the LDAP classes' marker (for tests that build its tables)."""
    key_bytes, data = key.encode("utf-8"), text.encode("utf-8")
    shifted = bytes((byte + key_bytes[(i % len(key_bytes)) - 1]) % 256 for i, byte in enumerate(data))
    return base64.b64encode(shifted).decode().replace("/", "°").rstrip("=") + G_ENCRYPT_MARKER
