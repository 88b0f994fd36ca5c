"""Data values inside markdown: Streamlit renders the text of st.markdown, st.caption,
st.subheader, st.error and widget labels as markdown, and has no escaping of its own.

A value such as a contract id, a site name or an e-mail comes from outside the code; put
in markdown as is, `[x](https://...)` becomes a link, `**x**` bold text, `<img ...>` an
element, `$x$` a formula. `literal` makes it text that renders as exactly itself. (A bare
web or e-mail address in it is still made a link by Streamlit, whose text is the address
itself: nothing is hidden behind it.)
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation character, and then shows the
# character as text; escaping all of them covers links, emphasis, HTML, entities, code,
# and Streamlit's own `$` (formulas) and `:` (colour and icon directives).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def literal(value: object) -> str:
    """`value` as markdown showing exactly its text, on one line."""
    one_line = " ".join(str(value).split())
    return _PUNCTUATION.sub(r"\\\1", one_line)
