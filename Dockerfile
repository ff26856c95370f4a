# syntax=docker/dockerfile:1
# Qorgau images: one slim image per service, plus the development SMSC and the deploy jobs.
#
#   docker build --target intake  -t qorgau-intake  .    # python -m intake serve   (8080)
#   docker build --target routing -t qorgau-routing .    # python -m routing serve  (8081)
#   docker build --target notify  -t qorgau-notify  .    # python -m notify serve   (8082)
#   docker build --target console -t qorgau-console .    # python -m console serve  (8083)
#   docker build --target devsmsc -t qorgau-devsmsc .    # development SMSC (2775), never in prod
#   docker build --target jobs    -t qorgau-jobs    .    # python -m qorgau_local schemas | topics
#
# Each service image holds only its own package and its locked dependencies (uv.lock),
# installed non-editable into /app/.venv. uv and everything else used to build stay in the
# build stages; the final images have no compiler, no uv and no pip, and run as uid 10001.

# Pin the patch version (or a digest) in CI; both stages must use the same Python, because
# the venv's interpreter is a symlink to the base image's /usr/local/bin/python3.11.
ARG PYTHON_IMAGE=python:3.11-slim-trixie

# ---------------------------------------------------------------------------------------
# build: uv from PyPI, the lock and every workspace member's pyproject.toml
# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
RUN python -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV PATH=/opt/uv/bin:$PATH \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1
WORKDIR /src
# Manifests first: the dependency layer is rebuilt only when the lock or a manifest changes.
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/
COPY common/pyproject.toml common/
COPY services/intake/pyproject.toml services/intake/
COPY services/routing/pyproject.toml services/routing/
COPY services/notify/pyproject.toml services/notify/
COPY services/console/pyproject.toml services/console/
COPY deploy/local/pyproject.toml deploy/local/

# One build stage per image: `--package` installs that member and only what it needs.
FROM build AS build-intake
RUN uv sync --frozen --no-dev --no-editable --no-install-workspace --package qorgau-intake
COPY contracts/src contracts/src
COPY common/src common/src
COPY services/intake/src services/intake/src
RUN uv sync --frozen --no-dev --no-editable --package qorgau-intake

FROM build AS build-routing
RUN uv sync --frozen --no-dev --no-editable --no-install-workspace --package qorgau-routing
COPY contracts/src contracts/src
COPY common/src common/src
COPY services/routing/src services/routing/src
RUN uv sync --frozen --no-dev --no-editable --package qorgau-routing

FROM build AS build-notify
RUN uv sync --frozen --no-dev --no-editable --no-install-workspace --package qorgau-notify
COPY contracts/src contracts/src
COPY common/src common/src
COPY services/notify/src services/notify/src
RUN uv sync --frozen --no-dev --no-editable --package qorgau-notify

FROM build AS build-console
RUN uv sync --frozen --no-dev --no-editable --no-install-workspace --package qorgau-console
COPY contracts/src contracts/src
COPY common/src common/src
COPY services/console/src services/console/src
RUN uv sync --frozen --no-dev --no-editable --package qorgau-console

# qorgau-local imports every service (the SMSC shares notify's codec; `schemas` runs every
# service's migrations), so this image carries all of them.
FROM build AS build-local
RUN uv sync --frozen --no-dev --no-editable --no-install-workspace --package qorgau-local
COPY contracts/src contracts/src
COPY common/src common/src
COPY services services
COPY deploy/local/src deploy/local/src
RUN uv sync --frozen --no-dev --no-editable --package qorgau-local

# ---------------------------------------------------------------------------------------
# runtime: the same Python, a system user, nothing else
# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 qorgau \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin qorgau
# Bytecode is compiled at build time (UV_COMPILE_BYTECODE), so the root filesystem can be
# read-only. The services log JSON to stdout and keep no local state.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app
# Numeric ids, so Kubernetes can verify runAsNonRoot without resolving a user name.
USER 10001:10001

FROM runtime AS intake
# The venv stays root-owned: the service user can read it, not change it.
COPY --from=build-intake /app/.venv /app/.venv
ENV QORGAU_INTAKE_HTTP_HOST=0.0.0.0 \
    QORGAU_INTAKE_HTTP_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health/live', timeout=2)"]
CMD ["python", "-m", "intake", "serve"]

FROM runtime AS routing
COPY --from=build-routing /app/.venv /app/.venv
ENV QORGAU_ROUTING_HTTP_HOST=0.0.0.0 \
    QORGAU_ROUTING_HTTP_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/health/live', timeout=2)"]
CMD ["python", "-m", "routing", "serve"]

FROM runtime AS notify
COPY --from=build-notify /app/.venv /app/.venv
ENV QORGAU_NOTIFY_HTTP_HOST=0.0.0.0 \
    QORGAU_NOTIFY_HTTP_PORT=8082
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8082/health/live', timeout=2)"]
CMD ["python", "-m", "notify", "serve"]

FROM runtime AS console
COPY --from=build-console /app/.venv /app/.venv
ENV QORGAU_CONSOLE_HTTP_HOST=0.0.0.0 \
    QORGAU_CONSOLE_HTTP_PORT=8083
EXPOSE 8083
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8083/health/live', timeout=2)"]
CMD ["python", "-m", "console", "serve"]

# Deploy jobs: `schemas` (needs QORGAU_DATABASE_URL) is the default command; run
# `python -m qorgau_local topics --replication N` (needs QORGAU_KAFKA_BOOTSTRAP_SERVERS) too.
FROM runtime AS jobs
COPY --from=build-local /app/.venv /app/.venv
HEALTHCHECK NONE
CMD ["python", "-m", "qorgau_local", "schemas"]

# The development SMSC: prints each SMS it receives. For compose and the dev overlay only.
FROM jobs AS devsmsc
EXPOSE 2775
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 2775), 2).close()"]
CMD ["python", "-m", "qorgau_local", "smsc", "--port", "2775"]
