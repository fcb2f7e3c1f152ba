"""A disk cache for tables derived from the shipped reference data.

Every matching process used to rebuild the same indexes from the same files: the
municipality register's name, base-name and postcode index (10,796 municipalities,
each name folded) and the identity keys of every partnership (5,400 rows, each partner
name folded and looked up among the gazetteer's aliases). :func:`load_or_build` keeps
such a result in a file under the cache folder (``MOBILITY_CACHE_DIR``, else
``$XDG_CACHE_HOME/mobility``, else ``~/.cache/mobility``) and reads it back in the next
process.

A cached result is only ever used for exactly the inputs it was built from:

* its **key** is a SHA-256 over everything the result depends on: the bytes of the
  source files, the code that derives it (:func:`code_fingerprint` hashes the modules'
  source), the library versions and :data:`FORMAT`. A changed input gives another key,
  hence another file; the stale one is never read.
* the file is JSON (never pickle: reading it cannot run code) behind a header line
  with the key, the body's length and its SHA-256. A file that is truncated, corrupt,
  of another format or another key is ignored and the result rebuilt and rewritten.
* it is written under a temporary name and moved into place (``os.replace``): a
  concurrent reader sees the old file, the new one or none, never half of one, and
  concurrent writers of the same key write the same bytes.
* when the folder cannot be created or written, nothing is cached and the result is
  built in every process, as before.

Examples
--------
Keys are plain SHA-256 digests over length-prefixed parts (so moving bytes from one part
to the next is another key); :func:`load_or_build` then reads ``name-<key>.json`` or
builds and writes it (tests/test_reference_cache.py exercises hits, misses, damage,
unwritable folders and concurrent writers):

>>> key = fingerprint(b"bytes of a source file", "code")
>>> key == fingerprint(b"bytes of a source file", "code"), len(key)
(True, 64)
>>> key == fingerprint(b"bytes of a source fil", "ecode")
False
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

#: Bump when the file layout changes (the header or how results are encoded).
FORMAT = 1

#: Files of a name written longer ago than this are removed when that name is written
#: again under another key (the cache of an old partnerships file, of older code).
MAX_AGE_DAYS = 30


def cache_folder() -> Path | None:
    """The folder for cached results, or None when it cannot be created."""
    from mobility.paths import cache_dir

    try:
        return cache_dir() / "derived"
    except OSError:
        return None


def fingerprint(*parts: bytes | str | None) -> str | None:
    """A SHA-256 over ``parts`` (each length-prefixed: ``("ab", "c")`` and
    ``("a", "bc")`` differ); None, meaning "do not cache", when any part is None."""
    if any(part is None for part in parts):
        return None
    digest = hashlib.sha256(f"mobility derived cache, format {FORMAT}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else bytes(part)
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def file_fingerprint(path: Path) -> str:
    """A fingerprint of a file's name and bytes (``"missing"`` when it does not exist)."""
    try:
        return fingerprint(path.name, path.read_bytes())
    except FileNotFoundError:
        return fingerprint(path.name, "missing")


def code_fingerprint(modules: Iterable[ModuleType]) -> str | None:
    """A fingerprint of the modules' source (and this one's) and of the Python, numpy and
    pandas versions: a change to the code that derives a result invalidates its cached
    copies. None (no caching) when a module's source cannot be read: without it a
    change to the code could not be seen."""
    import numpy
    import pandas

    from mobility import __version__

    parts: list[bytes | str] = [sys.version, numpy.__version__, pandas.__version__,
                                __version__]
    for module in [sys.modules[__name__], *modules]:  # this file's encoding included
        try:
            parts += [module.__name__, Path(getattr(module, "__file__", None) or "").read_bytes()]
        except (OSError, TypeError):
            return None
    return fingerprint(*parts)


def _path(folder: Path, name: str, key: str) -> Path:
    return folder / f"{name}-{key[:32]}.json"


def read_cached(name: str, key: str | None) -> Any | None:
    """The result cached under ``name`` and ``key``, or None (absent, unreadable, corrupt,
    truncated, or written for another key; or ``key`` None)."""
    folder = cache_folder() if key is not None else None
    if folder is None:
        return None
    try:
        raw = _path(folder, name, key).read_bytes()
        head, _, body = raw.partition(b"\n")
        header = json.loads(head)
        if (header.get("format") != FORMAT or header.get("name") != name
                or header.get("key") != key or header.get("bytes") != len(body)
                or header.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None
        return _decode(body)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


@contextlib.contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while building a large table of small, acyclic
    objects (tens of thousands of tuples, lists and strings): their allocations trigger
    full collections over every object the process holds (pandas, numba, scipy), which
    tripled the time of decoding the municipality index (15 ms -> 45 ms) and of building
    the partner-alias mapping. Nothing built inside is garbage; collection resumes after."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _decode(body: bytes) -> Any:
    with paused_gc():
        return json.loads(body)["value"]


def _body(value: Any) -> bytes:
    return json.dumps({"value": value}, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=True).encode()


def write_cached(name: str, key: str | None, value: Any) -> bool:
    """Store ``value`` (JSON-able) under ``name`` and ``key``; False when it could not be
    written (the caller goes on without a cache) or ``key`` is None."""
    return _write(name, key, _body(value))


def _write(name: str, key: str | None, body: bytes) -> bool:
    folder = cache_folder() if key is not None else None
    if folder is None:
        return False
    header = json.dumps({"format": FORMAT, "name": name, "key": key, "bytes": len(body),
                         "sha256": hashlib.sha256(body).hexdigest()}).encode()
    path = _path(folder, name, key)
    tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(header + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    _prune(folder, name, keep=path)
    return True


def _prune(folder: Path, name: str, keep: Path) -> None:
    """Remove files of ``name`` written over :data:`MAX_AGE_DAYS` ago (other keys only)."""
    cutoff = time.time() - MAX_AGE_DAYS * 86400
    for old in folder.glob(f"{name}-*.json"):
        try:
            if old != keep and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def load_or_build(name: str, key: str | None, build: Callable[[], Any],
                  valid: Callable[[Any], bool] = lambda value: True) -> Any:
    """The result cached under ``name`` and ``key``, else ``build()`` (which must return
    JSON-able data: dicts with text keys, lists, text, numbers), cached for next time
    (``key`` None: built, never cached).

    ``valid`` checks the shape of what the file holds (a file that passes its checksum
    but was not written by this code is a miss too). A built result comes back as it
    will be read from the cache next time (through JSON: lists for tuples), so a caller
    sees the same shapes whether the cache was hit or not."""
    found = read_cached(name, key)
    try:
        if found is not None and valid(found):
            return found
    except (TypeError, ValueError, KeyError, AttributeError):
        pass
    body = _body(build())
    _write(name, key, body)
    return _decode(body)
