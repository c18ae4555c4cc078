#!/usr/bin/env bash
# Build the teg-emulator image from this checkout, needing no registry and no package index
# beyond the one pip already uses here:
#   scripts/build-image.sh [TAG] [BASE]
# BASE defaults to python:3.11-slim; where no registry can be reached, make a base from Debian's
# packages first (scripts/build-base-image.sh) and pass teg-emulator-base:bookworm.
set -euo pipefail
cd "$(dirname "$0")/.."
TAG="${1:-teg-emulator:latest}"
BASE="${2:-python:3.11-slim}"
PYTHON="${PYTHON:-python3}"
rm -rf dist/image
"$PYTHON" -m pip wheel --quiet --wheel-dir dist/image/deps . >/dev/null 2>&1 || "$PYTHON" -m pip wheel --wheel-dir dist/image/deps .
mkdir -p dist/image/app
mv dist/image/deps/teg_emulator-*.whl dist/image/app/
docker build --quiet --build-arg "BASE=$BASE" --tag "$TAG" . >/dev/null 2>&1 || docker build --build-arg "BASE=$BASE" --tag "$TAG" .
echo "$TAG"
