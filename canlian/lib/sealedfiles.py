"""Files at rest, encrypted: uploads, reports and exports hold personal data.

`SealedStorage` is Django's file-system storage with every file encrypted (AES-256-GCM, the
field key) on the way in and decrypted on the way out; what lies on disk under MEDIA_ROOT
(`CANLIAN_FILES_DIR`) is ciphertext, readable by its owner only. Files are read whole: uploads
are limited to IMPORT_MAX_BYTES and exports to EXPORT_MAX_ROWS.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from canlian.lib import crypto

CONTEXT = "canlian file"


class SealedStorage(FileSystemStorage):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def _save(self, name: str, content: File[Any]) -> str:
        content.seek(0)
        sealed = crypto.encrypt_bytes(content.read(), context=CONTEXT)
        saved: str = super()._save(name, ContentFile(sealed))  # type: ignore[misc]
        return saved

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("sealed files are written with save(), never opened for writing")
        with super()._open(name, "rb") as stored:  # type: ignore[misc]
            data = crypto.decrypt_bytes(stored.read(), context=CONTEXT)
        return ContentFile(data, name=name)

    def read(self, name: str) -> bytes:
        """The whole file, decrypted."""
        with self.open(name) as handle:
            data: bytes = handle.read()
        return data

    def write(self, name: str, data: bytes | IO[bytes]) -> str:
        """Store `data` under a name like `name` (made unique); return the name used."""
        content = ContentFile(data) if isinstance(data, bytes) else File(data)
        return self.save(name, content)


sealed_storage = SealedStorage()
