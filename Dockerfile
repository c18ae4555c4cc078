# teg-emulator as a container: one process per container, configured by flags or TEG_* variables.
#
#   scripts/build-image.sh                      # wheels into dist/image/, then this build
#   docker run -p 8080:8080 teg-emulator --gateways 50 --fleet-mode host
#   docker run -e TEG_FIRMWARE=24.4.0 -e PORT=8443 -p 8443:8443 teg-emulator
#
# The image installs wheels from dist/image/ with no package index (scripts/build-image.sh makes
# them: dependencies in deps/, teg-emulator in app/), so it builds where no index is reachable. BASE is any
# image with python3 (>= 3.11, the same minor version the wheels were built for) and useradd:
# an official python:3.X-slim, or the Debian one scripts/build-base-image.sh makes from Debian's packages.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/teg/bin:$PATH \
    PORT=8080

# Dependencies first, in their own layer: a rebuild after a code change reuses it.
COPY dist/image/deps/ /tmp/deps/
RUN python3 -m venv /opt/teg \
    && /opt/teg/bin/pip install --no-cache-dir --no-index /tmp/deps/*.whl \
    && rm -rf /tmp/deps \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin teg
COPY dist/image/app/ /tmp/app/
RUN /opt/teg/bin/pip install --no-cache-dir --no-index --no-deps /tmp/app/*.whl && rm -rf /tmp/app

USER 10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-m", "emulator.cli.health"]
# TEG_NAME=value -> --name value; $PORT -> --port; TEG_SHARDS + the pod ordinal -> --shard (see emulator/cli/container.py)
ENTRYPOINT ["python3", "-m", "emulator.cli.container"]
