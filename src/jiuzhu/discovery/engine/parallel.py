"""Checking a large department file in a second process while the importing one stores it.

Reading, checking and hashing every row is a third of a million-row import's work, and storing
the rows (SQLite, in the importing process) the rest: on a machine with a second core both run
at once. The child process reads and checks the file with the same :func:`.scan_columns` and
sends each checked chunk through a pipe (which holds a few chunks at most, so memory stays
bounded); the parent stores them as they come. The result is the same chunks in the same order
as checking in the process itself, which small files and one-core machines still do.

The child is this module run by the same interpreter (``python -m``: a fresh process with no
copy of the parent's database connection or threads, and unlike ``multiprocessing``'s spawn it
does not re-import the parent's main script). It imports only this engine, no Django, and gets
its task, the keyed-hash key included, on its stdin, never on a command line or in its
environment; it answers on its stdout, pickled.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from jiuzhu.core.keyed_digest import hmac_sha256_hex
from jiuzhu.discovery.engine.columnar import CHUNK_ROWS, Chunk, scan_columns
from jiuzhu.discovery.engine.reader import FileRefused, read_rows
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.engine.validate import Tally

#: Files from this size on are checked in a child process (starting one takes about half a
#: second, a file of 8 MiB about three to check).
CHILD_BYTES = 8 * 2**20
#: What prefixes a row's content before its keyed hash (the row key).
ROW_PREFIX = "row|"
#: Identity numbers whose lookup hash :func:`for_storage` remembers (about 25 MiB).
HASHES_KEPT = 100_000


def use_child(path: Path) -> bool:
    """Whether to check this file in a child process: large, and a second core to run it."""
    return path.stat().st_size >= CHILD_BYTES and (os.cpu_count() or 1) > 1


def for_storage(chunks: Iterator[Chunk], key: bytes) -> Generator[Chunk, None, None]:
    """Each chunk with what storing it needs beside the checked values: every accepted row's
    identity-number lookup hash (remembered across chunks, as a person has many rows; forgotten
    past HASHES_KEPT people) and its kept values as JSON text (as Django's JSON field writes
    them on SQLite). Here rather than in the importing process, which has less time to spare."""
    id_digest = hmac_sha256_hex(key)
    encode = json.JSONEncoder().encode
    known: dict[str, str] = {}
    for chunk in chunks:
        if len(known) > HASHES_KEPT:
            known.clear()
        hashes = []
        for number in chunk.numbers:
            digest = known.get(number)
            if digest is None:
                digest = known[number] = id_digest(number)
            hashes.append(digest)
        chunk.id_hashes = hashes
        chunk.values_json = list(map(encode, chunk.values))
        yield chunk


def _scan(
    source: str, path: str, max_bytes: int, today: dt.date, key: bytes, tally: Tally, rows: int
) -> Generator[Chunk, None, None]:
    return for_storage(
        scan_columns(
            SOURCES[source],
            read_rows(path, max_bytes=max_bytes),
            today=today,
            digest=hmac_sha256_hex(key, ROW_PREFIX),
            tally=tally,
            chunk_rows=rows,
        ),
        key,
    )


def _counts(tally: Tally) -> tuple[int, int, int]:
    return tally.rows, tally.accepted, tally.rejected


def _child_main() -> None:
    """The child's work (``python -m jiuzhu.discovery.engine.parallel``): its task from stdin,
    then every chunk and how it ended ("end", "refused" or "failed") to stdout, pickled."""
    gc.disable()  # a short-lived process whose objects die by reference count (core.bulk)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the stream
    source, path, max_bytes, today, key, chunk_rows = pickle.load(sys.stdin.buffer)  # noqa: S301
    tally = Tally()

    def send(*message: Any) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        for chunk in _scan(source, path, max_bytes, today, key, tally, chunk_rows):
            send("chunk", chunk, _counts(tally))
        send("end", None, _counts(tally))
    except FileRefused as refused:
        send("refused", (refused.code, refused.line, refused.params), _counts(tally))
    except BrokenPipeError:  # the parent stopped reading: it has given up on the import
        pass
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        send("failed", traceback.format_exc(), _counts(tally))


class CheckingFailed(RuntimeError):
    """The checking process failed (its traceback is the message) or ended without a word."""


def scan_in_child(
    source: str,
    path: Path,
    *,
    max_bytes: int,
    today: dt.date,
    key: bytes,
    tally: Tally,
    chunk_rows: int = CHUNK_ROWS,
) -> Generator[Chunk, None, None]:
    """The checked chunks of ``path``, as :func:`.scan_columns` gives them, checked in a child
    process; ``tally`` follows the chunks. Close the iterator (or exhaust it) to end the child:
    an import that stops early stops its checker."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = subprocess.Popen(  # noqa: S603 - this interpreter, this module, no shell
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        pickle.dump((source, str(path), max_bytes, today, key, chunk_rows), child.stdin)
        child.stdin.close()
        while True:
            try:
                kind, payload, counts = pickle.load(child.stdout)  # noqa: S301 - our own child
            except EOFError:
                raise CheckingFailed("the checking process ended unexpectedly") from None
            tally.rows, tally.accepted, tally.rejected = counts
            if kind == "chunk":
                yield payload
            elif kind == "end":
                return
            elif kind == "refused":
                code, line, params = payload
                raise FileRefused(code, line, params)
            else:
                raise CheckingFailed(payload)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def scan_file(
    source: str,
    path: Path,
    *,
    max_bytes: int,
    today: dt.date,
    key: bytes,
    tally: Tally,
    chunk_rows: int = CHUNK_ROWS,
    child: bool | None = None,
) -> Generator[Chunk, None, None]:
    """Check ``path`` as a ``source`` file: in a child process when :func:`use_child` says so
    (or ``child`` forces it either way), in this one otherwise; the same chunks either way."""
    if child is None:
        child = use_child(path)
    if child:
        return scan_in_child(
            source,
            path,
            max_bytes=max_bytes,
            today=today,
            key=key,
            tally=tally,
            chunk_rows=chunk_rows,
        )
    return _scan(source, str(path), max_bytes, today, key, tally, chunk_rows)


if __name__ == "__main__":
    _child_main()
