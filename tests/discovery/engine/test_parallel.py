"""Checking a file in a child process (``engine.parallel``): the same chunks, tally and storage
columns as checking it in this process; a refused file refused the same way; a child that fails
or is abandoned does not hang the import."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import subprocess

import pytest

from jiuzhu.discovery.engine import parallel
from jiuzhu.discovery.engine.reader import FileRefused
from jiuzhu.discovery.engine.validate import Tally, check_character

TODAY = dt.date(2026, 6, 1)
KEY = b"k" * 32
MAX = 64 * 2**20


def ident(first17: str) -> str:
    return first17 + check_character(first17)


A = ident("32011319500101001")
B = ident("32011319800202002")
BAD = A[:-1] + ("0" if A[-1] != "0" else "1")  # a wrong check character


@pytest.fixture
def medical(tmp_path):
    rows = [
        f"{A},张三,2026-05-01,12.50",
        f"{B},李四,2026-05-02,3000",
        f"{A},张三,2026-05-03,1",
        f"{BAD},坏号,2026-05-03,1",
        f"{B},李四,2026-02-30,5",  # no such day
        f"{A},张三,2026-05-01,12.50",  # repeats the first row
    ]
    rows += [f"{B},李四,2026-04-{d:02d},{d}" for d in range(1, 29)]
    path = tmp_path / "medical.csv"
    path.write_text("身份证号,姓名,结算日期,个人自付\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def scan(path, *, child: bool, source: str = "medical"):
    tally = Tally()
    chunks = list(
        parallel.scan_file(
            source,
            path,
            max_bytes=MAX,
            today=TODAY,
            key=KEY,
            tally=tally,
            chunk_rows=7,
            child=child,
        )
    )
    return chunks, (tally.rows, tally.accepted, tally.rejected)


def test_the_child_gives_the_same_chunks_and_tally(medical):
    here, here_tally = scan(medical, child=False)
    there, there_tally = scan(medical, child=True)
    assert there == here and there_tally == here_tally == (34, 31, 3)
    assert len(here) == 5  # 34 rows, seven to a chunk


def test_storage_columns_are_the_lookup_hash_and_the_json_of_the_values(medical):
    chunks, _tally = scan(medical, child=True)
    for chunk in chunks:
        assert chunk.id_hashes == [
            hmac.new(KEY, number.encode(), hashlib.sha256).hexdigest() for number in chunk.numbers
        ]
        assert [json.loads(text) for text in chunk.values_json] == chunk.values
    first = chunks[0]
    assert first.values_json[0] == '{"settled_on": "2026-05-01", "out_of_pocket": "12.50"}'
    row = "|".join(("medical", A, "out_of_pocket=12.50", "settled_on=2026-05-01"))
    assert first.keys[0] == hmac.new(KEY, f"row|{row}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "empty", 0),
        ("身份证号,姓名,结算日期,个人自付\n", "header_only", 1),
        ("身份证号,姓名\n" + f"{A},张三\n", "missing_columns", 1),
    ],
)
def test_a_refused_file_is_refused_alike(tmp_path, text, code, line):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    for child in (False, True):
        with pytest.raises(FileRefused) as refused:
            scan(path, child=child)
        assert (refused.value.code, refused.value.line) == (code, line)


def test_a_failing_child_is_reported_not_waited_for(medical):
    with pytest.raises(parallel.CheckingFailed, match="KeyError: 'no_such_source'"):
        scan(medical, child=True, source="no_such_source")


def test_an_abandoned_child_is_ended(medical, monkeypatch):
    started = []
    real = subprocess.Popen

    def spy(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(parallel.subprocess, "Popen", spy)
    chunks = parallel.scan_file(
        "medical",
        medical,
        max_bytes=MAX,
        today=TODAY,
        key=KEY,
        tally=Tally(),
        chunk_rows=2,
        child=True,
    )
    next(chunks)
    chunks.close()  # as the import does when storing fails
    (child,) = started
    assert child.poll() is not None


def test_only_large_files_on_several_cores_go_to_a_child(medical, monkeypatch):
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert not parallel.use_child(medical)
    monkeypatch.setattr(parallel, "CHILD_BYTES", medical.stat().st_size)
    assert parallel.use_child(medical)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert not parallel.use_child(medical)
