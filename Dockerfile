# intake: one stateless web node. Point it at S3 and PostgreSQL with INTAKE_* variables.

# The reader pages' font (Vazirmatn, OFL), installed from the npm registry by npm.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY scripts/install-assets.sh scripts/
RUN ./scripts/install-assets.sh fonts

FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 intake
WORKDIR /app

COPY pyproject.toml README.md ./
COPY intake ./intake
COPY --from=assets /src/intake/web/static/fonts ./intake/web/static/fonts
RUN pip install --no-cache-dir '.[media]'

COPY config ./config
COPY storage ./storage

ENV INTAKE_SERVER_HOST=0.0.0.0 \
    INTAKE_SERVER_PORT=8080 \
    INTAKE_SERVER_DATA_DIR=/var/lib/intake \
    PYTHONUNBUFFERED=1
RUN mkdir -p /var/lib/intake && chown intake /var/lib/intake
USER intake
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz')" || exit 1
CMD ["intake", "serve"]
