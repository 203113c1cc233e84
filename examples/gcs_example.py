"""GCS: every call's logging payload stored in a Google Cloud Storage bucket (NDJSON batches by default).

    GCS_BUCKET_NAME=my-bucket GCS_PATH_SERVICE_ACCOUNT=key.json python examples/gcs_example.py

Optional: GCS_USE_BATCHED_LOGGING=false (one JSON object per call), GCS_FLUSH_INTERVAL, GCS_BATCH_SIZE,
STORAGE_EMULATOR_HOST (an emulator, no auth). Without GCS_BUCKET_NAME the script starts
``gcp-storage-emulator`` (``pip install gcp-storage-emulator``) when it is installed and lists what was
stored through the JSON API. Needs ``pip install google-auth`` for a real bucket.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import litellm
from litellm.fake_provider.server import start_fake_provider


def start_emulator() -> tuple[subprocess.Popen, str] | None:
    local = Path(__file__).resolve().parents[1] / ".receivers/gcs/bin/gcp-storage-emulator"
    exe = shutil.which("gcp-storage-emulator") or (str(local) if local.exists() else None)
    if exe is None:
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [exe, "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    return None


def main() -> None:
    emulator = None if os.environ.get("GCS_BUCKET_NAME") else start_emulator()
    if emulator is None and not os.environ.get("GCS_BUCKET_NAME"):
        print(__doc__)
        return
    try:
        if emulator is not None:
            url = emulator[1]
            create = urllib.request.Request(
                f"{url}/storage/v1/b?project=demo",
                data=json.dumps({"name": "litellm-demo"}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            urllib.request.urlopen(create).close()
            os.environ.update(
                GCS_BUCKET_NAME="litellm-demo/logs", STORAGE_EMULATOR_HOST=url, GCS_FLUSH_INTERVAL="1"
            )
        litellm.callbacks = ["gcs_bucket"]
        with start_fake_provider() as fake:
            base = dict(
                api_base=f"{fake.url}/v1", api_key="sk-fake", messages=[{"role": "user", "content": "hi"}]
            )
            litellm.completion(model="openai/gpt-4o-mini", **base)
            list(litellm.completion(model="openai/gpt-4o-mini", stream=True, **base))
            try:
                litellm.completion(model="openai/fake-error-500", **base)
            except litellm.InternalServerError:
                pass
            litellm.flush_callbacks(timeout=10)
        if emulator is not None:
            with urllib.request.urlopen(f"{emulator[1]}/storage/v1/b/litellm-demo/o?prefix=logs/") as r:
                for item in json.loads(r.read()).get("items", []):
                    print(f"gs://litellm-demo/{item['name']}  ({item['size']} bytes, {item['contentType']})")
    finally:
        if emulator is not None:
            emulator[0].terminate()
            emulator[0].wait(5)


if __name__ == "__main__":
    main()
