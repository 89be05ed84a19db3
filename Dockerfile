# intake: a stateless web node, or a worker (`intake worker`), from one image.
# Build: docker build -t intake .    Run many: see compose.yaml and the README.

# --- assets: the reader pages' font (Vazirmatn, OFL), from the npm registry ---
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY scripts/install-assets.sh scripts/
RUN ./scripts/install-assets.sh fonts

# --- build: every dependency from the lock file, with its hashes, into a venv ---
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements ./requirements
RUN python -m venv /opt/intake \
    && /opt/intake/bin/pip install --require-hashes -r requirements/run.lock
COPY pyproject.toml README.md ./
COPY intake ./intake
COPY --from=assets /src/intake/web/static/fonts ./intake/web/static/fonts
RUN /opt/intake/bin/pip install --no-deps --no-build-isolation . \
    && /opt/intake/bin/python -m compileall -q /opt/intake

# --- run: the venv, libmagic, and nothing to build with ---
FROM python:3.11-slim-bookworm
# libmagic for sniffing; Pillow, pillow-heif and PyAV bring their decoders in their wheels
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/intake --create-home intake \
    && chmod 0700 /var/lib/intake
COPY --from=build /opt/intake /opt/intake
WORKDIR /app
COPY config ./config
COPY storage ./storage
ENV PATH=/opt/intake/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    INTAKE_SERVER_HOST=0.0.0.0 \
    INTAKE_SERVER_PORT=8080 \
    INTAKE_SERVER_DATA_DIR=/var/lib/intake
USER intake
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["intake", "serve"]
