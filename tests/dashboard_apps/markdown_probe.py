"""Hostile data values through `literal` into each element that renders markdown, one
container per value (tests/test_markdown_text.py reads what the browser shows)."""

import streamlit as st

from dashboards.markdown_text import literal

VALUES = [
    "[x](javascript:alert(1))",
    "**bold** _em_ ~~struck~~ `code`",
    "<img src=x onerror=alert(1)> &amp; &lt;b&gt;",
    "$x^2$ and $$y$$",
    ":red[red] :material/home: :smile:",
    "# heading > quote - item 1. item",
    "https://example.org/a_b and lee@example.org",
    "C:\\temp\\*x* <https://example.org>",
    "S01 Des Moines - East (Polk) 50% | a | b |",
]

for i, value in enumerate(VALUES):
    with st.container(key=f"value_{i}"):
        st.markdown(literal(value))
        st.caption(literal(value))
        st.subheader(literal(value))
        st.error(literal(value))
