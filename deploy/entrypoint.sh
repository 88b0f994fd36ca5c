#!/bin/sh
# The container's two roles: the Dagster code location (gRPC) or the dashboards.
#
# The code server's gRPC API has no authentication and starts runs, so it never listens on
# every interface: on PPA_CODE_SERVER_HOST, by default 127.0.0.1 (this container only);
# for a webserver and daemon in other containers, this container's name on their private
# network (docs/deploy.md).
set -eu
case "${1:-code-location}" in
  code-location)
    host="${PPA_CODE_SERVER_HOST:-127.0.0.1}"
    case "$host" in
      0.0.0.0|::|"[::]")
        echo "ppa-entrypoint: PPA_CODE_SERVER_HOST=$host would serve the code server, which has" \
          "no authentication, on every interface; give this container's name or address on" \
          "its private network" >&2
        exit 2 ;;
    esac
    exec dagster code-server start -h "$host" -p 4000 -m orchestration.defs.definitions ;;
  dashboards)
    exec streamlit run dashboards/app.py --server.address 0.0.0.0 --server.port 8501 \
      --server.headless true --browser.gatherUsageStats false ;;
  *)
    exec "$@" ;;
esac
