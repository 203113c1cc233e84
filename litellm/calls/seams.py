"""Where layers above :mod:`litellm.calls` plug into the pipeline, so the pipeline never imports them.

``cache``: the module :mod:`litellm.caching.hooks` registers itself here when it is imported (which
constructing a ``Cache`` does). The pipeline consults it only while ``litellm.cache`` is set, after the
pre-call event and before the transport (DESIGN.md, "Caching"). None means no cache layer is loaded.
"""

from __future__ import annotations

from typing import Any

cache: Any = None
