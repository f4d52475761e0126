# The ICAT registry API, installed from its wheel: the package carries all `icat-api` needs,
# the migrations too. `icat-api serve` migrates (and seeds an empty database) before serving.
# tests/test_install.py goes through the same steps: build, install, serve as a non-root user.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ICAT_DATABASE_URL=sqlite:////data/icat.db

COPY --from=build /wheels /tmp/wheels
RUN pip install /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && useradd --system --uid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin icat \
    && mkdir -p /data && chown icat:icat /data

USER icat
WORKDIR /data
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"

CMD ["icat-api", "serve", "--host", "0.0.0.0", "--port", "8000"]
