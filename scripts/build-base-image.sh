#!/usr/bin/env bash
# Build a minimal Debian + python3 base image from Debian's packages, for machines that can
# reach Debian's archive but no container registry. The Dockerfile's BASE build argument takes it:
#   scripts/build-base-image.sh            # -> image teg-emulator-base:bookworm
#   docker build --build-arg BASE=teg-emulator-base:bookworm -t teg-emulator .
# Needs root, debootstrap and a running dockerd. MIRROR defaults to the first Debian mirror apt uses here.
set -euo pipefail
TAG="${1:-teg-emulator-base:bookworm}"
SUITE="${SUITE:-bookworm}"
if [ -z "${MIRROR:-}" ]; then
  MIRROR="$({ grep -rhoE '^(URIs:|deb) +[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
    || true; } | awk 'NR == 1 {print $2}')"
fi
MIRROR="${MIRROR:?set MIRROR to a Debian mirror}"
ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$SUITE" "$ROOTFS" "$MIRROR" >/dev/null
# What a slim base does not need: documentation, locales, apt lists.
rm -rf "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/* "$ROOTFS"/var/lib/apt/lists/* \
  "$ROOTFS"/var/cache/apt/*.bin
tar -C "$ROOTFS" -c . | docker import --change 'CMD ["python3"]' - "$TAG" >/dev/null
echo "$TAG"
