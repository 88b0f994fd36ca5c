# One image for the Dagster code location and for the dashboards (docs/deploy.md).
#   code location: docker run --network ppa --name ppa-code-location \
#                    -e PPA_CODE_SERVER_HOST=ppa-code-location IMAGE
#                  (gRPC on 4000 on that network only; never published: it has no authentication)
#   dashboards:    docker run -p 127.0.0.1:8501:8501 IMAGE dashboards   (behind a TLS proxy)
# Not built in this repository's CI (no Docker there); the settings it reads are the
# README's, passed with -e or a Kubernetes Secret.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH \
    PPA_WAREHOUSE_TARGET=postgres \
    DAGSTER_HOME=/opt/dagster/dagster_home

WORKDIR /app
RUN pip install --no-cache-dir uv

# Dependencies first (cached while only the code changes), then the project.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode --python python3
COPY orchestration orchestration
COPY dbt_project dbt_project
COPY seeds seeds
COPY dashboards dashboards
COPY .streamlit .streamlit
COPY deploy/dagster.yaml /opt/dagster/dagster_home/dagster.yaml
RUN uv sync --frozen --no-dev --python python3 \
    && cd dbt_project && dbt parse --quiet --profiles-dir . \
    && useradd --create-home --uid 1000 ppa && chown -R ppa /app /opt/dagster

COPY deploy/entrypoint.sh /usr/local/bin/ppa-entrypoint
USER ppa
# Only the dashboards' port: the code server's is for the private network, not for -P.
EXPOSE 8501
ENTRYPOINT ["ppa-entrypoint"]
CMD ["code-location"]
