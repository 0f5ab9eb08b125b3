"""The only cnnweb module that imports streamlit: shared widgets and caching for the pages."""

from __future__ import annotations

import streamlit as st  # noqa: F401
