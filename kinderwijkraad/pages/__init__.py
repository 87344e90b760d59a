"""Thin Streamlit pages, run by st.navigation from their file path; nothing imports them."""
