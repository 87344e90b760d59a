"""Streamlit helpers shared by app.py and the pages: state keys, auth gate, engine, errors, style."""
