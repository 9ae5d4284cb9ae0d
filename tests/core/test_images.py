"""Uploaded photos lose their location and other metadata, and nothing else (issue: a delivery
photo kept the GPS position of the household's home)."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jiuzhu.core.images import strip_metadata

GPS = b"GPSLatitude 32.1;GPSLongitude 118.9"


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


JFIF = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
EXIF = _segment(0xE1, b"Exif\x00\x00" + GPS)
XMP = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + GPS + b"</x:xmpmeta>")
ICC = _segment(0xE2, b"ICC_PROFILE\x00\x01\x01profile")
COMMENT = _segment(0xFE, b"taken at " + GPS)
QUANT = _segment(0xDB, bytes(65))
SCAN = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"


def test_a_jpeg_loses_exif_xmp_and_comments_and_keeps_the_image():
    photo = b"\xff\xd8" + JFIF + EXIF + XMP + ICC + COMMENT + QUANT + SCAN
    assert strip_metadata(photo) == b"\xff\xd8" + JFIF + ICC + QUANT + SCAN


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def test_a_png_loses_its_text_exif_and_time_chunks():
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", bytes(13))
    image = _chunk(b"IDAT", b"pixels") + _chunk(b"IEND", b"")
    metadata = (
        _chunk(b"eXIf", GPS)
        + _chunk(b"tEXt", b"Comment\x00" + GPS)
        + _chunk(b"iTXt", b"XML\x00" + GPS)
        + _chunk(b"tIME", bytes(7))
    )
    assert strip_metadata(head + metadata + image) == head + image


def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def _webp_chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")


def test_a_webp_loses_its_exif_and_xmp_chunks_and_says_so_in_its_flags():
    flags_with_metadata = bytes([0x0C | 0x10, 0, 0, 0]) + bytes(6)  # EXIF, XMP and alpha flags
    flags_without = bytes([0x10, 0, 0, 0]) + bytes(6)
    image = _webp_chunk(b"VP8L", b"odd-pixels")
    original = _riff(
        _webp_chunk(b"VP8X", flags_with_metadata)
        + image
        + _webp_chunk(b"EXIF", GPS + b"!")
        + _webp_chunk(b"XMP ", GPS)
    )
    assert strip_metadata(original) == _riff(_webp_chunk(b"VP8X", flags_without) + image)


@pytest.mark.parametrize(
    "data", [b"GIF89a...", b"not an image", b"\xff\xd8\xff\xe1\x00", b"\x89PNG\r\n\x1a\n\x00"]
)
def test_other_or_malformed_files_are_left_as_they_are(data):
    assert strip_metadata(data) == data


def test_every_upload_is_stored_without_metadata(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    photo = b"\xff\xd8" + JFIF + EXIF + QUANT + SCAN
    name = default_storage.save("delivery/visit.jpg", ContentFile(photo))
    stored = (tmp_path / name).read_bytes()
    assert GPS not in stored
    assert stored == b"\xff\xd8" + JFIF + QUANT + SCAN
