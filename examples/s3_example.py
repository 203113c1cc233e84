"""S3: every call's logging payload stored as a JSON object (or NDJSON batches) in an S3 bucket.

    AWS_S3_BUCKET_NAME=my-logs AWS_REGION_NAME=us-east-1 python examples/s3_example.py   # your bucket

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role),
or from ``litellm.s3_callback_params`` as in LiteLLM (values "os.environ/NAME" are read from the env).
Without AWS_S3_BUCKET_NAME the script starts a local S3 (``moto_server``, from ``pip install
"moto[server]"``) when it is installed, and lists what was stored. Needs ``pip install boto3``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import litellm
from litellm.fake_provider.server import start_fake_provider


def start_moto() -> tuple[subprocess.Popen, str] | None:
    local = Path(__file__).resolve().parents[1] / ".receivers/moto/bin/moto_server"
    exe = shutil.which("moto_server") or (str(local) if local.exists() else None)
    if exe is None:
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    return None


def main() -> None:
    import boto3

    moto = None if os.environ.get("AWS_S3_BUCKET_NAME") else start_moto()
    if moto is None and not os.environ.get("AWS_S3_BUCKET_NAME"):
        print(__doc__)
        return
    bucket, prefix = os.environ.get("AWS_S3_BUCKET_NAME", "litellm-demo-logs"), ""
    creds = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo", "region_name": "us-east-1"}
    try:
        if moto is not None:
            boto3.client("s3", endpoint_url=moto[1], **creds).create_bucket(Bucket=bucket)
            prefix = "demo"
            # The LiteLLM way to configure it; "os.environ/NAME" values would be read from the environment.
            litellm.s3_callback_params = {
                "s3_bucket_name": bucket,
                "s3_endpoint_url": moto[1],
                "s3_region_name": "us-east-1",
                "s3_aws_access_key_id": "demo",
                "s3_aws_secret_access_key": "demo",
                "s3_path": prefix,
            }
        litellm.callbacks = ["s3"]
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
        if moto is not None:
            s3 = boto3.client("s3", endpoint_url=moto[1], **creds)
            for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix + "/").get("Contents", []):
                print(f"s3://{bucket}/{item['Key']}  ({item['Size']} bytes)")
    finally:
        if moto is not None:
            moto[0].terminate()
            moto[0].wait(5)


if __name__ == "__main__":
    main()
