"""The preview page's images: each card's ``<img src="name">`` made a ``data:`` URL of the
vault's file, so the page stays one self-contained file that loads nothing from elsewhere.

(Cards in Anki load their images from the collection's media folder; only this page, which
is opened from anywhere, carries them inside.)
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape

from ..source.media import read_image

__all__ = ["with_images"]

_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "svg": "image/svg+xml", "bmp": "image/bmp", "avif": "image/avif",
}  # fmt: skip


def with_images(page: str, root: str, files: Mapping[str, tuple[str, str]]) -> str:
    """``page`` with the images of ``files`` (name -> (path under ``root``, digest)) inside;
    one that can no longer be read keeps its name (the page shows its alt text)."""
    for name, (relpath, _) in sorted(files.items()):
        src = f'src="{escape(name, quote=True)}"'
        if src not in page:
            continue
        try:
            data = read_image(root, relpath)
        except OSError:
            continue
        kind = _TYPES.get(name.rpartition(".")[2].lower(), "application/octet-stream")
        page = page.replace(src, f'src="data:{kind};base64,{base64.b64encode(data).decode()}"')
    return page
