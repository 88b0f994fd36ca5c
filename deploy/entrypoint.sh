#!/bin/sh
# The container's two roles: the Dagster code location (gRPC) or the dashboards.
set -eu
case "${1:-code-location}" in
  code-location)
    exec dagster code-server start -h 0.0.0.0 -p 4000 -m orchestration.defs.definitions ;;
  dashboards)
    exec streamlit run dashboards/app.py --server.address 0.0.0.0 --server.port 8501 \
      --server.headless true --browser.gatherUsageStats false ;;
  *)
    exec "$@" ;;
esac
