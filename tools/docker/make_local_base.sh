#!/usr/bin/env bash
# Makes a local stand-in for python:3.11-slim when Docker Hub is out of reach: Debian bookworm (whose
# python3 is 3.11) from debootstrap, imported with `docker import`. The proxy's Dockerfiles take it as
#   docker build --build-arg PYTHON_IMAGE=litellm-local/python:3.11-slim ...
# Like python:3.11-slim it has `python` and `pip` on PATH installing into one site-packages (here a venv
# at /opt/python, since Debian's own python3 refuses pip installs under PEP 668), plus apt, groupadd and
# useradd. The machine's extra CA certificates (/usr/local/share/ca-certificates, e.g. an egress proxy's)
# are trusted inside, so pip and apt in a build reach the same package indexes the machine reaches.
# Needs root, debootstrap and a Debian mirror. Usage: tools/docker/make_local_base.sh [image-tag]
set -euo pipefail

TAG=${1:-litellm-local/python:3.11-slim}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=$(mktemp -d /tmp/litellm-base.XXXXXX)
ROOTFS=$WORK/rootfs
trap 'rm -rf "$WORK"' EXIT

command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "no Docker daemon answers 'docker info'" >&2; exit 1; }

debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }

if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
fi
# the venv's pip comes from Debian's bundled wheels (ensurepip), so this needs no network
chroot "$ROOTFS" /bin/sh -ec '
  update-ca-certificates >/dev/null 2>&1
  python3 -m venv /opt/python
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* /usr/share/info/*
'

# ENV as python:3.11-slim sets it; PIP_CERT because pip's own certifi bundle lacks the machine's CA
tar -C "$ROOTFS" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' \
  --message "local python:3.11-slim stand-in (debootstrap bookworm)" \
  - "$TAG" >/dev/null
docker run --rm --network host "$TAG" python -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version'
echo "$TAG"
