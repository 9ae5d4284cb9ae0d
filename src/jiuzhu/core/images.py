"""Remove metadata from uploaded photos without re-encoding them.

A phone's photo of a home visit carries where it was taken (Exif GPS), when, and the device;
none of it is needed and the location is personal data. The container is rewritten with the
metadata blocks left out, the image data untouched (no quality loss, no imaging library):

* JPEG: APP1 (Exif, XMP), APP3–APP13 and APP15 segments and comments go; APP0 (JFIF), APP2
  ICC profiles and APP14 (Adobe colour transform) stay, as they change how the image looks.
* PNG: the eXIf, tEXt, zTXt, iTXt and tIME chunks go.
* WebP: the EXIF and XMP chunks go and the VP8X flags say so.
Anything else (GIF has no Exif) is returned unchanged. A malformed file is returned unchanged
too: the upload's own checks decide whether it is acceptable.
"""

from __future__ import annotations

import struct

JPEG_SOI = b"\xff\xd8"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_METADATA = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
WEBP_METADATA = {b"EXIF", b"XMP "}
_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def strip_metadata(data: bytes) -> bytes:
    try:
        if data.startswith(JPEG_SOI):
            return _jpeg(data)
        if data.startswith(PNG_SIGNATURE):
            return _png(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
    except (IndexError, struct.error, ValueError):
        return data
    return data


def _jpeg(data: bytes) -> bytes:
    out = bytearray(JPEG_SOI)
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            raise ValueError("not at a marker")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _STANDALONE:
            out += data[position : position + 2]
            position += 2
            continue
        if marker == 0xD9:  # end of image
            out += data[position:]
            return bytes(out)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        if len(segment) != 2 + length:
            raise ValueError("truncated segment")
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[position:]
            return bytes(out)
        is_metadata = marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP)
        if not is_metadata:
            out += segment
        position += 2 + length
    return bytes(out)


def _png(data: bytes) -> bytes:
    out = bytearray(PNG_SIGNATURE)
    position = len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            raise ValueError("truncated chunk")
        if kind not in PNG_METADATA:
            out += data[position:end]
        position = end
        if kind == b"IEND":
            break
    return bytes(out)


def _webp(data: bytes) -> bytes:
    chunks = bytearray()
    position = 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        (size,) = struct.unpack("<I", data[position + 4 : position + 8])
        end = position + 8 + size + (size & 1)
        if position + 8 + size > len(data):
            raise ValueError("truncated chunk")
        chunk = bytearray(data[position:end])
        if kind == b"VP8X":
            chunk[8] &= ~0x0C & 0xFF  # clear the EXIF (0x08) and XMP (0x04) flags
        if kind not in WEBP_METADATA:
            chunks += chunk
        position = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)
