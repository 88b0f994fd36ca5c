"""The monthly packets, e-mailed: each site coordinator her site's packet, the state
coordinator the statewide one, leadership a suppressed statewide summary.

Built from the publications by the dashboards' own data access, as each recipient would
see them signed in (a site coordinator's packet is read under her own scope, leadership's
from the leadership publication only), so a packet can hold nothing its reader could not
open on the pages. Sent after each scheduled monthly run (orchestration/defs/sensors.py)
and by `ppa send-packets`.
"""

import logging

# The data access caches its queries through Streamlit, which outside a Streamlit server
# keeps them in memory and says so as each cached function is made: expected here, so not
# shown. Set before the dashboards' modules are imported, and as a filter, since Streamlit
# resets its loggers' levels when it reads its configuration.
logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
    lambda record: not record.getMessage().startswith("No runtime found"))
