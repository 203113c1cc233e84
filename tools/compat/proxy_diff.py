"""Differential harness for the proxy server: ours against LiteLLM 1.77.0's proxy, request by request.

Usage::

    python tools/compat/proxy_diff.py [--only SUBSTRING ...] [--json out.json] [--show-declared]
        [--ref-bin /tmp/refproxy/bin/litellm]

Starts the bundled fake provider (in-process, ``start_fake_provider``), writes ONE
``config.yaml`` (chat, legacy-completion, embedding, image, moderation and rerank models, models that
fail upstream with 429 / 500 / 503 or a context-window error, one that falls back and one that fails
once then succeeds on retry, a ``model_group_alias`` and a ``master_key``) and starts both proxies on it as users do: ours ``python -m litellm.proxy --config
config.yaml --port P`` (this repo's code) and LiteLLM's ``litellm --config config.yaml --port Q``
(``LITELLM_LOCAL_MODEL_COST_MAP=True``, no database). It then sends the same requests to both with
httpx and compares what a client sees: the status code; the JSON body's structure (keys and value
types, recursively) and the values that must agree (model, object, error type/code/param, usage
numbers, finish_reason, content, list lengths -- never ids or timestamps); for streams the SSE framing
(``data:`` lines, ``[DONE]``, chunk keys, joined content); and the response headers (content-type,
LiteLLM's documented ``x-litellm-*`` headers, with ``x-litellm-response-cost`` equal to 1e-9 where
both price, and the names of forwarded ``llm_provider-*`` headers).

Prints a table of the differences plus totals: requests, identical, declared, undeclared. A
difference is declared when ``proxy_deliberate.toml`` has an entry whose ``request`` and ``path`` globs
(and optional ``ref`` / ``ours`` value texts) match it; every entry carries its reason. Exit status 1
when an undeclared difference remains. Both proxies and the fake provider are always stopped.

Not part of the package or of the default pytest run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from litellm.fake_provider import FakeProvider

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _declared import load_declared, report  # noqa: E402  (the sibling module; run as a script)

REPO = HERE.parent.parent
OURS = Path(os.environ.get("OURS_PYTHON", str(REPO / ".venv" / "bin" / "python")))
if not OURS.exists():
    OURS = REPO / ".venv" / "bin" / "python"
REF_BIN = Path("/tmp/refproxy/bin/litellm")
REF_VERSION = "1.77.0"
MASTER_KEY = "sk-pdiff-master-1234"
UPSTREAM_KEY = "sk-upstream-secret-pdiff"

CONFIG = """\
model_list:
  - model_name: fake-gpt
    litellm_params: {{model: openai/gpt-4o-mini, api_base: "{v1}", api_key: "{key}"}}
  - model_name: fake-instruct
    litellm_params: {{model: openai/gpt-3.5-turbo-instruct, api_base: "{v1}", api_key: "{key}"}}
  - model_name: fake-embed
    litellm_params: {{model: openai/text-embedding-3-small, api_base: "{v1}", api_key: "{key}"}}
    model_info: {{mode: embedding}}
  - model_name: fake-image
    litellm_params: {{model: openai/dall-e-3, api_base: "{v1}", api_key: "{key}"}}
    model_info: {{mode: image_generation}}
  - model_name: fake-mod
    litellm_params: {{model: openai/omni-moderation-latest, api_base: "{v1}", api_key: "{key}"}}
    model_info: {{mode: moderation}}
  - model_name: fake-rerank
    litellm_params: {{model: cohere/rerank-english-v3.0, api_base: "{base}", api_key: "{key}"}}
    model_info: {{mode: rerank}}
  - model_name: limited
    litellm_params: {{model: openai/fake-error-429, api_base: "{v1}", api_key: "{key}"}}
  - model_name: broken
    litellm_params: {{model: openai/fake-error-500, api_base: "{v1}", api_key: "{key}"}}
  - model_name: flaky
    litellm_params: {{model: openai/fake-error-503, api_base: "{v1}", api_key: "{key}"}}
  - model_name: too-long
    litellm_params: {{model: openai/fake-context-window, api_base: "{v1}", api_key: "{key}"}}
  - model_name: flaky-fb
    litellm_params: {{model: openai/fake-error-503, api_base: "{v1}", api_key: "{key}"}}
  - model_name: once-failing
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: "{v1}"
      api_key: "{key}"
      num_retries: 1
      extra_headers: {{x-fake-fail-times: "1", x-fake-key: "pdiff-once", x-fake-error: "500"}}
  - model_name: stream-breaks
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: "{v1}"
      api_key: "{key}"
      extra_headers: {{x-fake-stream-error-after: "3"}}
router_settings:
  model_group_alias: {{"gpt-alias": "fake-gpt"}}
  num_retries: 0
  fallbacks: [{{"flaky-fb": ["fake-gpt"]}}]
litellm_settings:
  num_retries: 0
  request_timeout: 20
general_settings:
  master_key: {master}
"""

CHAT = {"model": "fake-gpt", "messages": [{"role": "user", "content": "Say hello"}]}


@dataclass
class Req:
    rid: str
    method: str
    path: str
    body: Any = None  # dict -> JSON; bytes -> raw body
    key: str | None = MASTER_KEY
    stream: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    reset_fake: bool = False  # forget x-fake-fail-times counters before each side's request


REQUESTS = [
    Req("chat", "POST", "/v1/chat/completions", CHAT),
    Req("chat.no-v1", "POST", "/chat/completions", CHAT),
    Req("chat.stream", "POST", "/v1/chat/completions", {**CHAT, "stream": True}, stream=True),
    Req(
        "chat.stream.usage",
        "POST",
        "/v1/chat/completions",
        {**CHAT, "stream": True, "stream_options": {"include_usage": True}},
        stream=True,
    ),
    Req("chat.max_tokens", "POST", "/v1/chat/completions", {**CHAT, "max_tokens": 3}),
    Req("chat.n2", "POST", "/v1/chat/completions", {**CHAT, "n": 2}),
    Req(
        "chat.tools",
        "POST",
        "/v1/chat/completions",
        {
            **CHAT,
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                    },
                }
            ],
            "tool_choice": "required",
        },
    ),
    Req("chat.fallback", "POST", "/v1/chat/completions", {**CHAT, "model": "flaky-fb"}),
    Req(
        "chat.retry",
        "POST",
        "/v1/chat/completions",
        {**CHAT, "model": "once-failing"},
        reset_fake=True,
    ),
    Req(
        "chat.retry.body",
        "POST",
        "/v1/chat/completions",
        {**CHAT, "model": "once-failing", "num_retries": 1},
        reset_fake=True,
    ),
    Req("chat.alias", "POST", "/v1/chat/completions", {**CHAT, "model": "gpt-alias"}),
    Req("chat.azure-path", "POST", "/openai/deployments/fake-gpt/chat/completions", CHAT),
    Req("completions", "POST", "/v1/completions", {"model": "fake-instruct", "prompt": "Say hello"}),
    Req(
        "completions.stream",
        "POST",
        "/v1/completions",
        {"model": "fake-instruct", "prompt": "Say hello", "stream": True},
        stream=True,
    ),
    Req("embeddings", "POST", "/v1/embeddings", {"model": "fake-embed", "input": ["hello", "world"]}),
    Req(
        "embeddings.base64",
        "POST",
        "/v1/embeddings",
        {"model": "fake-embed", "input": "hello", "encoding_format": "base64"},
    ),
    Req("images", "POST", "/v1/images/generations", {"model": "fake-image", "prompt": "a cat"}),
    Req("moderations", "POST", "/v1/moderations", {"model": "fake-mod", "input": "hello"}),
    Req(
        "rerank",
        "POST",
        "/v1/rerank",
        {"model": "fake-rerank", "query": "red cat", "documents": ["a red cat", "a blue dog"], "top_n": 2},
    ),
    Req("models", "GET", "/v1/models"),
    Req("models.no-v1", "GET", "/models"),
    Req("models.one", "GET", "/v1/models/fake-gpt"),
    Req("model_info", "GET", "/v1/model/info"),
    Req("model_info.no-v1", "GET", "/model/info"),
    Req("health.liveliness", "GET", "/health/liveliness", key=None),
    Req("health.readiness", "GET", "/health/readiness", key=None),
    Req("auth.no-key", "POST", "/v1/chat/completions", CHAT, key=None),
    Req("auth.wrong-key", "POST", "/v1/chat/completions", CHAT, key="sk-wrong-key"),
    Req("auth.no-key.models", "GET", "/v1/models", key=None),
    Req("error.unknown-model", "POST", "/v1/chat/completions", {**CHAT, "model": "no-such-model"}),
    Req("error.upstream-429", "POST", "/v1/chat/completions", {**CHAT, "model": "limited"}),
    Req("error.upstream-500", "POST", "/v1/chat/completions", {**CHAT, "model": "broken"}),
    Req("error.upstream-503", "POST", "/v1/chat/completions", {**CHAT, "model": "flaky"}),
    Req(
        "error.upstream-429.stream",
        "POST",
        "/v1/chat/completions",
        {**CHAT, "model": "limited", "stream": True},
        stream=True,
    ),
    Req(
        "error.midstream",
        "POST",
        "/v1/chat/completions",
        {**CHAT, "model": "stream-breaks", "stream": True},
        stream=True,
    ),
    Req("error.context-window", "POST", "/v1/chat/completions", {**CHAT, "model": "too-long"}),
    Req("error.invalid-json", "POST", "/v1/chat/completions", b'{"model": "fake-gpt", "messages": ['),
    Req("error.missing-messages", "POST", "/v1/chat/completions", {"model": "fake-gpt"}),
    Req("error.missing-model", "POST", "/v1/chat/completions", {"messages": CHAT["messages"]}),
    Req("error.embeddings-unknown-model", "POST", "/v1/embeddings", {"model": "no-such-model", "input": "x"}),
]

# leaf keys whose values must agree on both sides; every other leaf is compared by type only
EQUAL_KEYS = {
    "model", "object", "type", "code", "param", "finish_reason", "role", "index", "content", "text",
    "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens",
    "flagged", "relevance_score", "status", "model_name", "mode", "owned_by", "encoding_format",
    "search_units", "input_tokens", "output_tokens", "refusal", "logprobs", "tool_calls",
}  # fmt: skip
# LiteLLM's documented response headers. Compared by presence; HEADER_VALUES by value too, and
# x-litellm-response-cost numerically (1e-9). x-litellm-model-id is an opaque hash whose recipe is
# LiteLLM's own, so presence only.
HEADER_VALUES = {
    "x-litellm-model-api-base",
    "x-litellm-model-group",
    "x-litellm-attempted-fallbacks",
    "x-litellm-attempted-retries",
}
HEADER_PRESENCE = {
    "content-type",
    "x-litellm-call-id",
    "x-litellm-version",
    "x-litellm-response-cost",
    "x-litellm-model-id",
    *HEADER_VALUES,
}
# upstream entity / hop-by-hop headers: whether a proxy re-exposes them as llm_provider-* is not compared
UPSTREAM_ENTITY = {"content-length", "content-type", "date", "server", "connection", "transfer-encoding"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_proxy(label: str, tmp: Path, ref_bin: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = tmp / f"{label}.log"
    cfg = str(tmp / "config.yaml")
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONDONTWRITEBYTECODE": "1"}
    for var in ("LITELLM_MASTER_KEY", "DATABASE_URL", "REDIS_HOST", "REDIS_URL"):
        env.pop(var, None)
    if label == "ours":
        env["PYTHONPATH"] = str(REPO)
        cmd = [str(OURS), "-m", "litellm.proxy", "--config", cfg, "--host", "127.0.0.1", "--port", str(port)]
    else:  # the reference must never see a PYTHONPATH meant for our side
        env.pop("PYTHONPATH", None)
        cmd = [
            str(ref_bin),
            "--config",
            cfg,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--num_workers",
            "1",
        ]
    proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", log


def wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, label: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{label} proxy exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/health/liveliness", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{label} proxy did not start in {timeout:.0f}s:\n{log.read_text()[-3000:]}")


# ---- what a client sees, reduced to comparable facts ----------------------------------------------


def shape(value: Any, path: str, out: dict[str, Any], key: str = "") -> None:
    """Flatten ``value`` into ``out``: ``path -> value`` for EQUAL_KEYS leaves, else ``path -> <type>``."""
    if isinstance(value, dict):
        out[path or "."] = "<object>"
        for k, v in value.items():
            shape(v, f"{path}.{k}" if path else k, out, k)
        return
    if isinstance(value, list):
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            out[path] = f"<list[number] len {len(value)}>"
            return
        out[path] = f"<list len {len(value)}>"
        for i, v in enumerate(value[:5]):
            shape(v, f"{path}[{i}]", out, key)
        return
    if key in EQUAL_KEYS:
        out[path] = value
    else:
        out[path] = f"<{type_name(value)}>"


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def summarize_sse(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    events = [block for block in re.split(r"\r?\n\r?\n", text) if block.strip()]
    non_data = [
        line for block in events for line in block.splitlines() if line and not line.startswith("data: ")
    ]
    out["sse.non_data_lines"] = non_data[:3]
    payloads = [line[6:] for block in events for line in block.splitlines() if line.startswith("data: ")]
    out["sse.ends_with_DONE"] = bool(payloads) and payloads[-1].strip() == "[DONE]"
    chunks: list[dict[str, Any]] = []
    bad = 0
    for p in payloads:
        if p.strip() == "[DONE]":
            continue
        try:
            chunks.append(json.loads(p))
        except ValueError:
            bad += 1
    out["sse.unparseable_events"] = bad
    out["sse.has_chunks"] = bool(chunks)
    keys: set[str] = set()
    for c in chunks:
        keys |= set(c)
    out["sse.chunk_keys"] = sorted(keys)
    out["sse.objects"] = sorted({str(c.get("object")) for c in chunks})
    out["sse.models"] = sorted({str(c.get("model")) for c in chunks if "model" in c})
    text_parts: list[str] = []
    finish: list[Any] = []
    for c in chunks:
        for ch in c.get("choices") or []:
            delta = ch.get("delta") or {}
            text_parts.append(str(delta.get("content") or ch.get("text") or ""))
            if ch.get("finish_reason"):
                finish.append(ch["finish_reason"])
    out["sse.content"] = "".join(text_parts)
    out["sse.finish_reasons"] = finish
    usage = [c["usage"] for c in chunks if c.get("usage")]
    out["sse.usage"] = usage[-1] if usage else None
    errors = [c["error"] for c in chunks if "error" in c]
    if errors:
        shape(errors[0], "sse.error", out)
    return out


def observe(client: httpx.Client, req: Req) -> dict[str, Any]:
    headers = dict(req.headers)
    if req.key:
        headers["Authorization"] = f"Bearer {req.key}"
    kw: dict[str, Any] = {"headers": headers}
    if isinstance(req.body, bytes):
        kw["content"] = req.body
        headers["content-type"] = "application/json"
    elif req.body is not None:
        kw["json"] = req.body
    try:
        resp = client.request(req.method, req.path, **kw)
    except httpx.HTTPError as exc:
        return {"transport_error": type(exc).__name__}
    out: dict[str, Any] = {"status": resp.status_code}
    ctype = resp.headers.get("content-type", "")
    out["header.content-type"] = ctype.split(";")[0].strip() or "<absent>"
    for name in sorted(HEADER_PRESENCE - {"content-type"}):
        value = resp.headers.get(name)
        if value is None:
            out[f"header.{name}"] = "<absent>"
        elif name in HEADER_VALUES:
            out[f"header.{name}"] = value
        elif name == "x-litellm-response-cost":
            try:
                out[f"header.{name}"] = float(value)
            except ValueError:
                out[f"header.{name}"] = value
        else:
            out[f"header.{name}"] = "<present>"
    forwarded = sorted(h.lower() for h in resp.headers if h.lower().startswith("llm_provider-"))
    out["header.llm_provider-*"] = [h for h in forwarded if h[len("llm_provider-") :] not in UPSTREAM_ENTITY]
    out["info.llm_provider-headers"] = forwarded
    text = resp.text
    if "text/event-stream" in ctype or (req.stream and resp.status_code == 200):
        out.update(summarize_sse(text))
        return out
    try:
        body = json.loads(text)
    except ValueError:
        out["body"] = f"<non-json {len(text)} chars>"
        return out
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        out["info.error.message"] = str(body["error"].get("message"))[:300]
    if req.rid.startswith("model_info") and resp.status_code == 200:
        out.update(model_info_facts(body))
        return out
    if req.rid.startswith("models") and isinstance(body, dict) and isinstance(body.get("data"), list):
        out["models.ids"] = sorted(str(m.get("id")) for m in body["data"])
        body = {**body, "data": body["data"][:1]}
    shape(body, "body", out)
    return out


def observe_side(client: httpx.Client, req: Req, fake: FakeProvider) -> dict[str, Any]:
    """``observe`` plus, for the report only (not compared), the upstream calls the proxy made."""
    if req.reset_fake:
        fake.reset()
    fake.clear_requests()
    facts = observe(client, req)
    facts["info.upstream"] = [
        {
            "call": f"{r['method']} {r['path']}",
            "json_keys": sorted(r["json"]) if isinstance(r["json"], dict) else None,
        }
        for r in fake.requests
    ]
    return facts


def model_info_facts(body: Any) -> dict[str, Any]:
    """/model/info: the model names listed and, per name, litellm_params' model and api_base, whether
    the upstream key is shown (it must be masked or absent), model_info's mode and the model_info keys
    that carry a value -- not the values of LiteLLM's ~50 price-map fields."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return {"model_info.body": f"<{type_name(body)}>"}
    out: dict[str, Any] = {"model_info.top_keys": sorted(body), "model_info.names": []}
    for entry in body["data"]:
        name = str(entry.get("model_name"))
        out["model_info.names"].append(name)
        out[f"model_info[{name}]"] = "<model>"
        params = entry.get("litellm_params") or {}
        info = entry.get("model_info") or {}
        key = params.get("api_key")
        # masked or left out are both fine; the upstream key in clear is not
        out[f"model_info[{name}].api_key"] = "<LEAKED>" if UPSTREAM_KEY in str(key) else "<hidden>"
        out[f"model_info[{name}].model"] = params.get("model")
        out[f"model_info[{name}].api_base"] = params.get("api_base")
        # LiteLLM lists every ModelInfo field, mostly null: compare the keys that carry a value
        out[f"model_info[{name}].model_info_keys"] = sorted(k for k, v in info.items() if v is not None)
        out[f"model_info[{name}].mode"] = info.get("mode")
    out["model_info.names"].sort()
    return out


# ---- diffing --------------------------------------------------------------------------------------


def diff(ref: dict[str, Any], ours: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, LiteLLM's value, ours) per differing fact; below a path already reported as absent on one
    side, or as a list of another length, nothing more is reported, and when one side succeeds where the
    other fails only the status is."""
    ok_ref, ok_ours = _ok(ref), _ok(ours)
    if ok_ref != ok_ours:  # a success on one side, an error on the other: the rest is noise
        return [
            (
                "status",
                ref.get("status", ref.get("transport_error")),
                ours.get("status", ours.get("transport_error")),
            ),
            ("outcome", "success" if ok_ref else "error", "success" if ok_ours else "error"),
        ]
    out: list[tuple[str, Any, Any]] = []
    cut: list[str] = []
    for path in sorted(set(ref) | set(ours)):
        if path.startswith("info."):
            continue
        if any(path.startswith(c + ".") or path.startswith(c + "[") for c in cut):
            continue
        a, b = ref.get(path, "<absent>"), ours.get(path, "<absent>")
        if a != b and ("<absent>" in (a, b) or (str(a).startswith("<list") and str(b).startswith("<list"))):
            cut.append(path)
        if path.endswith("model_info_keys") and isinstance(a, list) and isinstance(b, list):
            missing = sorted(set(a) - set(b))  # only what LiteLLM has and we lack
            if missing:
                out.append((path, missing, "<missing>"))
            continue
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) > 1e-9:
                out.append((path, a, b))
            continue
        if a != b:
            out.append((path, a, b))
    return out


def _ok(facts: dict[str, Any]) -> bool:
    status = facts.get("status")
    return isinstance(status, int) and 200 <= status < 300


@contextlib.contextmanager
def running(args: argparse.Namespace) -> Iterator[tuple[str, str, FakeProvider]]:
    procs: list[subprocess.Popen[Any]] = []
    # in-process (a daemon thread), so that reset() can re-arm x-fake-fail-times between the two sides
    sys.path.insert(0, str(REPO))
    from litellm.fake_provider import start_fake_provider

    fake_provider = start_fake_provider("127.0.0.1", 0, record=True)
    fake = fake_provider.url
    try:
        tmp = Path(tempfile.mkdtemp(prefix="proxy-diff-"))
        (tmp / "config.yaml").write_text(
            CONFIG.format(v1=fake + "/v1", base=fake, key=UPSTREAM_KEY, master=MASTER_KEY)
        )
        started = time.monotonic()
        ref_proc, ref_url, ref_log = start_proxy("ref", tmp, args.ref_bin)
        procs.append(ref_proc)
        our_proc, our_url, our_log = start_proxy("ours", tmp, args.ref_bin)
        procs.append(our_proc)
        wait_ready(our_proc, our_url, our_log, "our", 60)
        print(f"ours ready in {time.monotonic() - started:.1f}s", flush=True)
        wait_ready(ref_proc, ref_url, ref_log, f"LiteLLM {REF_VERSION}", 120)
        print(f"LiteLLM {REF_VERSION} ready in {time.monotonic() - started:.1f}s (logs in {tmp})", flush=True)
        yield ref_url, our_url, fake_provider
    finally:
        for proc in reversed(procs):
            stop(proc)
        fake_provider.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="run requests whose id contains one of these")
    parser.add_argument("--json", help="write the full comparison here")
    parser.add_argument("--show-declared", action="store_true", help="list declared differences too")
    parser.add_argument("--ref-bin", type=Path, default=REF_BIN, help="LiteLLM's proxy CLI")
    args = parser.parse_args()

    entries = load_declared(HERE / "proxy_deliberate.toml")
    requests = [r for r in REQUESTS if not args.only or any(s in r.rid for s in args.only)]
    ref: dict[str, dict[str, Any]] = {}
    ours: dict[str, dict[str, Any]] = {}
    with running(args) as (ref_url, our_url, fake):
        with (
            httpx.Client(base_url=ref_url, timeout=60) as rc,
            httpx.Client(base_url=our_url, timeout=60) as oc,
        ):
            for req in requests:
                ref[req.rid] = observe_side(rc, req, fake)
                ours[req.rid] = observe_side(oc, req, fake)

    undeclared = report(
        names=[r.rid for r in requests], ref=ref, ours=ours, diff=diff, entries=entries, key="request",
        file_name="proxy_deliberate.toml", ref_label="LiteLLM " + REF_VERSION, widths=(28, 44, 44), args=args,
    )  # fmt: skip
    return 1 if undeclared else 0


if __name__ == "__main__":
    sys.exit(main())
