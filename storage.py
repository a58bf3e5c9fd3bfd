"""One storage interface for every file: a folder under instance/ by default (never under static/).

Uploads are checked by content, not by name or browser-declared type, and size-limited. An S3-compatible
backend can replace `FolderStorage` by implementing the same two methods.
"""
import hashlib
import io
import os
import secrets

from flask import current_app

from models import StoredFile

KINDS = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "jpg": ("image/jpeg", ".jpg", "JPG"),
    "png": ("image/png", ".png", "PNG"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel"),
}


class UploadError(ValueError):
    """An upload that is refused; the message is Chinese and names the file."""


def sniff(data):
    """The real type of `data` from its first bytes: pdf, jpg, png, xlsx or None."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"PK\x03\x04":
        import zipfile
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            return None
    return None


class FolderStorage:
    """Files in a folder, addressed by a random key (so names never collide or reveal anything)."""

    def __init__(self, root):
        self.root = root

    def put(self, key, data):
        path = os.path.join(self.root, key[:2], key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, key):
        with open(os.path.join(self.root, key[:2], key), "rb") as handle:
            return handle.read()


def backend():
    """The storage of the current app."""
    return FolderStorage(current_app.config["FILES_DIR"])


def save_bytes(data, filename, kind):
    """Store `data` and record it; returns the StoredFile row."""
    key = secrets.token_hex(16) + KINDS[kind][1]
    backend().put(key, data)
    return StoredFile.create(storage_key=key, filename=filename[:200], content_type=KINDS[kind][0], size=len(data),
                             sha256=hashlib.sha256(data).hexdigest())


def read(stored):
    """The bytes of a StoredFile."""
    return backend().get(stored.storage_key)


def check_upload(upload, allowed=("pdf", "jpg", "png"), max_bytes=10 * 1024 * 1024, label="文件"):
    """(bytes, kind) of a werkzeug FileStorage after checking its content and size, or UploadError."""
    if upload is None or not upload.filename:
        raise UploadError(f"请选择要上传的{label}")
    data = upload.read()
    name = upload.filename
    if not data:
        raise UploadError(f"{name}:文件为空")
    if len(data) > max_bytes:
        raise UploadError(f"{name}:文件大小{len(data) / 1048576:.1f}MB,超过{max_bytes // 1048576}MB的限制")
    kind = sniff(data)
    if kind not in allowed:
        names = "、".join(KINDS[k][2] for k in allowed)
        raise UploadError(f"{name}:文件内容不是{names}格式,请上传{names}文件")
    return data, kind
