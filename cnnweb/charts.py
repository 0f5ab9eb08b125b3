"""Plotly figure builders: pure functions, data in, go.Figure out. No streamlit here."""

from __future__ import annotations
