"""The default file storage: the file system, with metadata stripped from every uploaded photo
before it is written (``core/images.py``), whichever capability saves it."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from jiuzhu.core.images import strip_metadata


class MetadataStrippingStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        content.seek(0)
        data = content.read()
        cleaned = strip_metadata(data)
        if cleaned is not data:
            content = ContentFile(cleaned)
        else:
            content.seek(0)
        return super()._save(name, content)
