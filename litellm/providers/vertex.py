"""Vertex AI: Gemini on the Vertex URL, partner models (Anthropic Claude, Llama, Mistral), embeddings.

Owns: :class:`VertexAdapter` (``vertex_ai/<model>``), which picks the model family once per call and
builds the request for it:

* Gemini (and tuned Gemini endpoints): the Gemini body of :mod:`litellm.providers.gemini` on
  ``https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/
  google/models/{model}:generateContent`` (``:streamGenerateContent?alt=sse``); ``location="global"``
  uses ``aiplatform.googleapis.com``.
* Anthropic Claude: the Messages body (:mod:`litellm.providers.anthropic`) without ``model``, with
  ``anthropic_version: vertex-2023-10-16``, on ``publishers/anthropic/models/{model}:rawPredict``
  (``:streamRawPredict``); replies and SSE events are Anthropic's.
* Llama and other Model-as-a-Service models named ``<publisher>/<model>`` (``meta/llama-...-maas``):
  OpenAI chat completions on ``endpoints/openapi/chat/completions``. Mistral / Codestral:
  ``publishers/mistralai/models/{model}:rawPredict`` with an OpenAI-shaped body.
* Embeddings: ``:predict`` with ``instances`` (text-embedding-*, gemini-embedding-*, and
  ``multimodalembedding`` with text and images); Imagen image generation: ``:predict`` with a prompt
  instance, OpenAI ``n`` / ``size`` -> ``sampleCount`` / ``aspectRatio``, images back as ``b64_json``.

Project and location come from the call (``vertex_project`` / ``vertex_location``, LiteLLM's names), then
VERTEXAI_PROJECT / VERTEX_PROJECT / VERTEXAI_LOCATION / VERTEX_LOCATION, then the credential's own
project; location defaults to ``us-central1``. Requests carry a :class:`GoogleBearerAuth` (OAuth token
from ``vertex_credentials`` or application default credentials, cached until expiry), or an explicit
``api_key`` (Vertex express mode).

Must not: send anything itself (the token refresh runs in the auth hook the pipeline calls), or read the
environment except through ``env_value``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from litellm.providers import gemini as _g
from litellm.providers._common import make_error, parse_data_url
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState
from litellm.providers.environment import env_value

__all__ = ["ANTHROPIC_VERTEX_VERSION", "VertexAdapter", "vertex_family"]

ANTHROPIC_VERTEX_VERSION = "vertex-2023-10-16"
DEFAULT_LOCATION = "us-central1"
_PROJECT_ENVS = ("VERTEXAI_PROJECT", "VERTEX_PROJECT", "VERTEX_AI_PROJECT")
_LOCATION_ENVS = ("VERTEXAI_LOCATION", "VERTEX_LOCATION", "VERTEX_AI_LOCATION")
_CREDENTIAL_ENVS = ("VERTEXAI_CREDENTIALS", "VERTEX_AI_CREDENTIALS", "DEFAULT_GOOGLE_APPLICATION_CREDENTIALS")
_LOCATION_RE = re.compile(r"\A[a-z0-9-]+\Z")
_PROJECT_RE = re.compile(r"\A[A-Za-z0-9.:_-]+\Z")

_OPENAI_MAAS_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "stop",
        "stream",
        "stream_options",
        "n",
        "seed",
        "tools",
        "tool_choice",
        "response_format",
        "presence_penalty",
        "frequency_penalty",
        "user",
    }
)


def vertex_family(model: str) -> str:
    """Which wire format ``model`` speaks on Vertex: gemini, anthropic, mistral or openai (MaaS)."""
    low = model.lower()
    if low.startswith("claude-") or low.startswith("anthropic/"):
        return "anthropic"
    if low.startswith(("mistral", "codestral", "mistralai/")):
        return "mistral"
    if "/" in low and not low.startswith(("publishers/google/", "projects/", "gemini")):
        return "openai"  # meta/llama-..., deepseek-ai/..., qwen/... through the OpenAPI endpoint
    if low.startswith(("llama", "meta-llama")):
        return "openai"
    return "gemini"


def _clean_model(model: str, family: str) -> str:
    if family == "anthropic" and model.startswith("anthropic/"):
        return model[len("anthropic/") :]
    if family == "mistral" and model.startswith("mistralai/"):
        return model[len("mistralai/") :]
    if model.startswith("publishers/google/models/"):
        return model[len("publishers/google/models/") :]
    return model


class _Location:
    __slots__ = ("auth", "location", "project")

    def __init__(self, project: str | None, location: str, auth: Any) -> None:
        self.project, self.location, self.auth = project, location, auth


class VertexAdapter:
    """``vertex_ai/<model>``: Gemini, Anthropic, Mistral and OpenAI-format MaaS models on Vertex AI."""

    name = "vertex_ai"
    api_key_env = None  # OAuth by default; an explicit api_key selects express mode
    #: litellm.api_key (usually an OpenAI key) must not reach Google as an express-mode key: only a
    #: call's own api_key selects express mode (read by the pipeline when it fills credentials)
    uses_module_api_key = False
    api_base_env = None
    default_api_base = None
    env_vars: Mapping[str, tuple[str, ...]] = {}

    def __init__(self, name: str = "vertex_ai") -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"VertexAdapter({self.name!r})"

    # ---- params --------------------------------------------------------------------------------

    def supported_params(self, model: str) -> frozenset[str]:
        family = vertex_family(model)
        if family == "anthropic":
            return self._anthropic().supported_params(_clean_model(model, family))
        if family in ("openai", "mistral"):
            return _OPENAI_MAAS_PARAMS
        if _g.supports_thinking(model, "vertex_ai"):
            return _g.BASE_PARAMS | _g.REASONING_PARAMS
        return _g.BASE_PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return []  # the token source names what is missing when it cannot find credentials

    @staticmethod
    def _anthropic() -> Any:
        from litellm.providers.registry import get_adapter

        return get_adapter("anthropic")

    @staticmethod
    def _openai() -> Any:
        from litellm.providers.openai_compat import PROVIDERS, OpenAICompatAdapter

        return OpenAICompatAdapter(PROVIDERS["openai"])

    # ---- location and auth ---------------------------------------------------------------------

    def _locate(
        self, model: str, params: dict[str, Any], credentials: Credentials, *, need_project: bool = True
    ) -> _Location:
        project = params.pop("vertex_project", None) or params.pop("vertex_ai_project", None)
        location = params.pop("vertex_location", None) or params.pop("vertex_ai_location", None)
        spec = params.pop("vertex_credentials", None) or params.pop("vertex_ai_credentials", None)
        for key in (
            "vertex_project",
            "vertex_ai_project",
            "vertex_location",
            "vertex_ai_location",
            "vertex_credentials",
            "vertex_ai_credentials",
        ):
            params.pop(key, None)
        project = project or _first_env(_PROJECT_ENVS)
        location = location or _first_env(_LOCATION_ENVS) or DEFAULT_LOCATION
        if not _LOCATION_RE.match(str(location)):
            raise make_error(
                "BadRequestError",
                f"vertex_location {location!r} is not a Vertex AI location (e.g. 'us-central1', 'europe-west4', 'global')",
                model=model,
                provider=self.name,
            )
        if credentials.api_key and not spec:
            return _Location(project, str(location), None)  # express mode: the key is the credential
        from litellm.providers.auth.google import GoogleBearerAuth, token_source

        source = token_source(spec or _first_env(_CREDENTIAL_ENVS))
        project = project or source.project_id
        if need_project and not project:
            raise make_error(
                "AuthenticationError",
                "Vertex AI needs a project: pass vertex_project='my-project' or set VERTEXAI_PROJECT "
                "(or use a service-account JSON that names its project_id).",
                model=model,
                provider=self.name,
            )
        if project and not _PROJECT_RE.match(str(project)):
            raise make_error(
                "BadRequestError",
                f"vertex_project {project!r} is not a project id",
                model=model,
                provider=self.name,
            )
        return _Location(str(project) if project else None, str(location), GoogleBearerAuth(source))

    @staticmethod
    def _host(loc: _Location, credentials: Credentials) -> str:
        if credentials.api_base:
            return credentials.api_base.rstrip("/")
        if loc.location == "global" or loc.project is None:  # global endpoint; express mode
            return "https://aiplatform.googleapis.com"
        return f"https://{loc.location}-aiplatform.googleapis.com"

    def _model_url(
        self, loc: _Location, credentials: Credentials, publisher: str, model: str, method: str
    ) -> str:
        base = self._host(loc, credentials)
        path_of_base = urlsplit(base).path.rstrip("/")
        if path_of_base and not path_of_base.endswith(("/v1", "/v1beta1")):
            # as LiteLLM: an api_base with a path beyond the version names the model or endpoint itself
            return f"{base}:{method}"
        if loc.project is None:  # express mode
            return f"{base}/v1/publishers/{publisher}/models/{quote(model, safe='@.-_')}:{method}"
        if model.isdigit():  # a deployed (tuned) endpoint id
            path = f"projects/{loc.project}/locations/{loc.location}/endpoints/{model}"
        elif model.startswith("projects/"):
            path = model
        else:
            path = f"projects/{loc.project}/locations/{loc.location}/publishers/{publisher}/models/{quote(model, safe='@.-_')}"
        if base.endswith(("/v1", "/v1beta1")):
            return f"{base}/{path}:{method}"
        return f"{base}/v1/{path}:{method}"

    @staticmethod
    def _headers(credentials: Credentials, extra_headers: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if credentials.api_key:
            headers["x-goog-api-key"] = credentials.api_key
        if extra_headers:
            headers.update(extra_headers)
        return headers

    # ---- request -------------------------------------------------------------------------------

    def build_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: dict[str, Any],
        credentials: Credentials,
        *,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProviderRequest:
        family = vertex_family(model)
        wire_model = _clean_model(model, family)
        params = dict(optional_params)
        loc = self._locate(model, params, credentials)
        if family == "anthropic":
            req = self._anthropic_request(
                wire_model, messages, params, credentials, loc, stream, extra_headers
            )
        elif family in ("openai", "mistral"):
            req = self._openai_request(
                family, wire_model, messages, params, credentials, loc, stream, extra_headers
            )
        else:
            try:
                body = _g.build_gemini_body(wire_model, messages, params)
            except ValueError as exc:
                raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
            method = "streamGenerateContent?alt=sse" if stream else "generateContent"
            url = self._model_url(loc, credentials, "google", wire_model, method)
            req = ProviderRequest(url=url, headers=self._headers(credentials, extra_headers), body=body)
        if extra_body and req.body is not None:
            req.body.update(extra_body)
        req.auth = loc.auth
        return req

    def _anthropic_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        credentials: Credentials,
        loc: _Location,
        stream: bool,
        extra_headers: Mapping[str, str] | None,
    ) -> ProviderRequest:
        anthropic = self._anthropic()
        betas: set[str] = set()
        try:
            body = anthropic.build_body(model, messages, params, betas, stream=stream)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        body.pop("model", None)
        body["anthropic_version"] = ANTHROPIC_VERTEX_VERSION
        headers = self._headers(credentials, None)
        for key, value in (extra_headers or {}).items():
            if key.lower() == "anthropic-beta":
                betas.update(v.strip() for v in str(value).split(",") if v.strip())
            else:
                headers[key] = value
        if betas:
            headers["anthropic-beta"] = ",".join(sorted(betas))
        url = self._model_url(
            loc, credentials, "anthropic", model, "streamRawPredict" if stream else "rawPredict"
        )
        return ProviderRequest(url=url, headers=headers, body=body)

    def _openai_request(
        self,
        family: str,
        model: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        credentials: Credentials,
        loc: _Location,
        stream: bool,
        extra_headers: Mapping[str, str] | None,
    ) -> ProviderRequest:
        body = self._openai().build_body(model, messages, params, stream=stream)
        if stream:
            body.setdefault("stream_options", {"include_usage": True})
        if family == "mistral":
            url = self._model_url(
                loc, credentials, "mistralai", model, "streamRawPredict" if stream else "rawPredict"
            )
        else:
            base = self._host(loc, credentials)
            if base.endswith("/chat/completions"):
                url = base
            else:
                prefix = base if base.endswith(("/v1", "/v1beta1")) else f"{base}/v1"
                url = f"{prefix}/projects/{loc.project}/locations/{loc.location}/endpoints/openapi/chat/completions"
        return ProviderRequest(url=url, headers=self._headers(credentials, extra_headers), body=body)

    # ---- response ------------------------------------------------------------------------------

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        family = vertex_family(model)
        if family == "anthropic":
            return self._anthropic().parse_response(_clean_model(model, family), data)
        if family in ("openai", "mistral"):
            return self._openai().parse_response(model, data)
        return _g.parse_gemini_response(model, data)

    def new_stream_state(self, model: str) -> StreamState:
        family = vertex_family(model)
        if family == "anthropic":
            state = self._anthropic().new_stream_state(_clean_model(model, family))
        elif family in ("openai", "mistral"):
            state = self._openai().new_stream_state(model)
        else:
            state = _g.new_gemini_stream_state(model)
        state.extra["vertex_family"] = family
        return state

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        family = state.extra.get("vertex_family", "gemini")
        if family == "anthropic":
            return self._anthropic().parse_stream_event(state, event, data)
        if family in ("openai", "mistral"):
            return self._openai().parse_stream_event(state, event, data)
        return _g.parse_gemini_stream_event(state, data)

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        if isinstance(body, Mapping) and body.get("type") == "error":  # Anthropic's shape from rawPredict
            return self._anthropic().classify_error(status_code, body, headers)
        if isinstance(body, list) and body and isinstance(body[0], Mapping):
            body = body[0]
        return _g.classify_google_error(status_code, body)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        """``:predict`` with one instance per input (text models; multimodalembedding takes images)."""
        rest = dict(params)
        loc = self._locate(model, rest, credentials)
        items = input if isinstance(input, list) else [input]
        if not items:
            raise make_error("BadRequestError", "embedding input is empty", model=model, provider=self.name)
        task = _g.task_type(rest)
        instances: list[dict[str, Any]] = []
        multimodal = model.startswith("multimodalembedding")
        for item in items:
            if multimodal:
                instances.append(_multimodal_instance(item, model, self.name))
                continue
            if not isinstance(item, str):
                raise make_error(
                    "BadRequestError",
                    "Vertex text embeddings take strings: pass a string or a list of strings",
                    model=model,
                    provider=self.name,
                )
            instance: dict[str, Any] = {"content": item}
            if task:
                instance["task_type"] = task
            if rest.get("title"):
                instance["title"] = rest["title"]
            instances.append(instance)
        parameters: dict[str, Any] = {}
        if rest.get("dimensions") is not None:
            parameters["outputDimensionality" if not multimodal else "dimension"] = int(rest["dimensions"])
        if rest.get("auto_truncate") is not None:
            parameters["autoTruncate"] = bool(rest["auto_truncate"])
        body: dict[str, Any] = {"instances": instances}
        if parameters:
            body["parameters"] = parameters
        url = self._model_url(loc, credentials, "google", model, "predict")
        return ProviderRequest(url=url, headers=self._headers(credentials, None), body=body, auth=loc.auth)

    # ---- images (Imagen) ------------------------------------------------------------------------

    def build_image_generation_request(
        self, model: str, prompt: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        """Imagen ``:predict`` (``imagen-4.0-generate-001``, ``imagen-3.0-generate-002``, ...)."""
        rest = dict(params)
        loc = self._locate(model, rest, credentials)
        body = imagen_body(prompt, rest, model, self.name)
        url = self._model_url(loc, credentials, "google", model, "predict")
        return ProviderRequest(url=url, headers=self._headers(credentials, None), body=body, auth=loc.auth)

    def parse_image_generation_response(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        return parse_imagen_response(data)

    def parse_embedding_response(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        tokens = 0
        for i, pred in enumerate(data.get("predictions") or ()):
            if not isinstance(pred, Mapping):
                continue
            emb = pred.get("embeddings")
            if isinstance(emb, Mapping):
                values = emb.get("values") or []
                stats = emb.get("statistics") or {}
                tokens += int(stats.get("token_count") or 0)
            else:
                values = pred.get("textEmbedding") or pred.get("imageEmbedding") or []
            items.append({"object": "embedding", "index": i, "embedding": list(values)})
        usage: dict[str, Any] = {"prompt_tokens": tokens, "total_tokens": tokens}
        chars = (data.get("metadata") or {}).get("billableCharacterCount")
        if chars is not None:
            usage["billable_character_count"] = int(chars)
        return {"object": "list", "model": model, "data": items, "usage": usage}


def imagen_body(prompt: Any, params: Mapping[str, Any], model: str, provider: str) -> dict[str, Any]:
    """An Imagen ``:predict`` body from OpenAI image-generation params (shared with AI Studio)."""
    if not isinstance(prompt, str) or not prompt:
        raise make_error(
            "BadRequestError",
            "image generation needs a non-empty text prompt",
            model=model,
            provider=provider,
        )
    parameters: dict[str, Any] = {"sampleCount": int(params.get("n") or 1)}
    ratio = params.get("aspect_ratio") or _aspect_ratio(params.get("size"))
    if ratio:
        parameters["aspectRatio"] = ratio
    fmt = params.get("output_format")
    if fmt:
        parameters["outputOptions"] = {"mimeType": f"image/{'jpeg' if fmt == 'jpg' else fmt}"}
    for src, dst in (
        ("negative_prompt", "negativePrompt"),
        ("seed", "seed"),
        ("add_watermark", "addWatermark"),
        ("person_generation", "personGeneration"),
        ("safety_filter_level", "safetySetting"),
        ("enhance_prompt", "enhancePrompt"),
        ("sample_image_size", "sampleImageSize"),
    ):
        if params.get(src) is not None:
            parameters[dst] = params[src]
    return {"instances": [{"prompt": prompt}], "parameters": parameters}


# OpenAI sizes -> Imagen aspect ratios (Imagen takes 1:1, 3:4, 4:3, 9:16 and 16:9)
_RATIOS = {"1:1": 1.0, "3:4": 0.75, "4:3": 4 / 3, "9:16": 9 / 16, "16:9": 16 / 9}


def _aspect_ratio(size: Any) -> str | None:
    if not isinstance(size, str) or "x" not in size:
        return None
    try:
        width, height = (int(v) for v in size.lower().split("x", 1))
    except ValueError:
        return None
    if width <= 0 or height <= 0:
        return None
    target = width / height
    return min(_RATIOS, key=lambda name: abs(_RATIOS[name] - target))


def parse_imagen_response(data: Mapping[str, Any]) -> dict[str, Any]:
    """Imagen ``predictions`` -> an OpenAI images response (``b64_json`` items; filtered images are left out
    and counted in ``raiFilteredReason`` as Imagen reports them)."""
    items = []
    for pred in data.get("predictions") or ():
        if isinstance(pred, Mapping) and pred.get("bytesBase64Encoded"):
            item: dict[str, Any] = {"b64_json": pred["bytesBase64Encoded"]}
            if pred.get("prompt"):
                item["revised_prompt"] = pred["prompt"]
            items.append(item)
    return {"created": int(time.time()), "data": items}


def _multimodal_instance(item: Any, model: str, provider: str) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)  # already {"text": ..., "image": {...}, "video": {...}}
    if not isinstance(item, str):
        raise make_error(
            "BadRequestError",
            "multimodal embedding input must be text, a data: URL or a gs:// URI",
            model=model,
            provider=provider,
        )
    parsed = parse_data_url(item)
    if parsed is not None:
        mime, payload, is_b64 = parsed
        if not is_b64:
            raise make_error(
                "BadRequestError", "image data: URLs must be base64", model=model, provider=provider
            )
        key = "video" if mime.startswith("video/") else "image"
        return {key: {"bytesBase64Encoded": payload}}
    if item.startswith("gs://"):
        key = "video" if item.lower().endswith((".mp4", ".mov", ".avi", ".mkv", ".webm")) else "image"
        return {key: {"gcsUri": item}}
    return {"text": item}


def _first_env(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = env_value(name)
        if value:
            return value
    return None


def make_adapter(name: str = "vertex_ai") -> VertexAdapter:
    return VertexAdapter(name)
