"""The proxy server: an OpenAI-compatible HTTP gateway over the Router (``litellm --config config.yaml``).

Layout (each module says what it owns):

* :mod:`~litellm.proxy.config`   -- config.yaml loading, validation, and applying it to module settings
* :mod:`~litellm.proxy.backend`  -- the one interface route handlers call models through (Router or calls)
* :mod:`~litellm.proxy.auth`     -- ``authenticate(request) -> AuthContext`` (master key; the seam for keys)
* :mod:`~litellm.proxy.hooks`    -- CustomLogger proxy hooks (pre-call, moderation, post-call, streaming)
* :mod:`~litellm.proxy.errors`   -- exceptions -> OpenAI-shaped JSON errors with the upstream status
* :mod:`~litellm.proxy.handlers` -- the request path shared by every LLM route (JSON, SSE, binary)
* :mod:`~litellm.proxy.app`      -- the ASGI app: routes, health, model info, lifespan
* :mod:`~litellm.proxy.metrics`  -- Prometheus metrics with LiteLLM's names (multiprocess aware)
* :mod:`~litellm.proxy.openapi`  -- ``/openapi.json`` and the Swagger UI page
* :mod:`~litellm.proxy.cli`      -- the ``litellm`` command

Importing this package is light; starlette, uvicorn, yaml and prometheus_client are imported by the
modules that use them, which only the server process loads (never ``import litellm``).
"""
