"""The Streamlit dashboards: pages, data access, sign-in and the users file."""
