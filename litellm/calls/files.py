"""Files: ``create_file``, ``file_list``, ``file_retrieve``, ``file_delete``, ``file_content`` and their
async twins (OpenAI's ``/v1/files`` wire; Azure's ``/openai/files``), on the one spine.

Must not: send on its own (:mod:`litellm.calls.resources` runs every resource through the pipeline).
"""

from __future__ import annotations

import os
from typing import Any

from litellm.calls.resources import Resource, acall, call

__all__ = [
    "acreate_file",
    "adelete_file",
    "afile_content",
    "afile_delete",
    "afile_list",
    "afile_retrieve",
    "alist_files",
    "aretrieve_file",
    "create_file",
    "file_content",
    "file_delete",
    "file_list",
    "file_retrieve",
]

_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")


def _file_part(file: Any) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) from a path, bytes, a file object or a (name, content[, type]) tuple."""
    if isinstance(file, tuple):
        name, content, *rest = file
        ctype = rest[0] if rest and rest[0] else "application/octet-stream"
        _, data, _ = _file_part(content)
        return name or "file", data, ctype
    if isinstance(file, (bytes, bytearray)):
        return "file.jsonl", bytes(file), "application/octet-stream"
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        with open(path, "rb") as fh:
            return os.path.basename(path), fh.read(), _content_type(path)
    read = getattr(file, "read", None)
    if read is None:
        raise TypeError(
            f"file must be a path, bytes, a binary file object or a (filename, content) tuple, not {type(file).__name__}"
        )
    data = read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = os.path.basename(getattr(file, "name", "") or "file")
    return name, data, _content_type(name)


def _content_type(name: str) -> str:
    if name.endswith(".jsonl"):
        return "application/jsonl"
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".pdf"):
        return "application/pdf"
    return "application/octet-stream"


def _create_files(args: dict[str, Any]) -> list[tuple[str, Any]]:
    purpose = args["purpose"]
    if purpose not in _PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(_PURPOSES)}; got {purpose!r}")
    return [("purpose", purpose), ("file", _file_part(args["file"]))]


_CREATE = Resource("create_file", "POST", lambda a: "files", "file", files=_create_files)
_LIST = Resource(
    "file_list", "GET", lambda a: "files", "page:file", query=lambda a: {"purpose": a.get("purpose")}
)
_RETRIEVE = Resource("file_retrieve", "GET", lambda a: f"files/{a['file_id']}", "file")
_DELETE = Resource("file_delete", "DELETE", lambda a: f"files/{a['file_id']}", "file_deleted")
_CONTENT = Resource("file_content", "GET", lambda a: f"files/{a['file_id']}/content", "binary")


def create_file(file: Any, purpose: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    """Upload a file (a path, bytes, a binary file object or a (filename, content) tuple)."""
    return call(_CREATE, custom_llm_provider, {"file": file, "purpose": purpose}, kwargs)


async def acreate_file(file: Any, purpose: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return await acall(_CREATE, custom_llm_provider, {"file": file, "purpose": purpose}, kwargs)


def file_list(custom_llm_provider: str = "openai", purpose: str | None = None, **kwargs: Any) -> Any:
    return call(_LIST, custom_llm_provider, {"purpose": purpose}, kwargs)


async def afile_list(custom_llm_provider: str = "openai", purpose: str | None = None, **kwargs: Any) -> Any:
    return await acall(_LIST, custom_llm_provider, {"purpose": purpose}, kwargs)


alist_files = afile_list


def file_retrieve(file_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return call(_RETRIEVE, custom_llm_provider, {"file_id": file_id}, kwargs)


async def afile_retrieve(file_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return await acall(_RETRIEVE, custom_llm_provider, {"file_id": file_id}, kwargs)


aretrieve_file = afile_retrieve


def file_delete(file_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return call(_DELETE, custom_llm_provider, {"file_id": file_id}, kwargs)


async def afile_delete(file_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return await acall(_DELETE, custom_llm_provider, {"file_id": file_id}, kwargs)


adelete_file = afile_delete


def file_content(file_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    """The file's bytes (``.content``, ``.text``, ``.json()``, ``.write_to_file(path)``)."""
    return call(_CONTENT, custom_llm_provider, {"file_id": file_id}, kwargs)


async def afile_content(file_id: str, custom_llm_provider: str = "openai", **kwargs: Any) -> Any:
    return await acall(_CONTENT, custom_llm_provider, {"file_id": file_id}, kwargs)
