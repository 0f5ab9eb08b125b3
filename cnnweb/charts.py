"""Plotly figure builders: pure functions, data in, go.Figure out. No streamlit here."""

from __future__ import annotations


# ---------------------------------------------------------------- Gallery figures (helper "zoo")

def arch_comparison_figure(records: list[dict], height: int = 440):
    """Parameters against multiply-adds (both log scale), one labelled point per architecture.
    records: dicts with name, params, macs and accuracy (best test accuracy of a trained model
    of that architecture, or None). Trained ones are coloured by accuracy, the rest grey."""
    import plotly.graph_objects as go

    fig = go.Figure()
    untrained = [r for r in records if r.get("accuracy") is None]
    trained = [r for r in records if r.get("accuracy") is not None]
    hover = "%{text}<br>%{y:,} parameters<br>%{x:,} multiply-adds"
    if untrained:
        fig.add_trace(go.Scatter(
            x=[r["macs"] for r in untrained], y=[r["params"] for r in untrained],
            text=[r["name"] for r in untrained], mode="markers+text", textposition="top center",
            name="not trained yet", marker={"size": 12, "color": "#adb5bd"},
            hovertemplate=hover + "<extra>not trained yet</extra>"))
    if trained:
        fig.add_trace(go.Scatter(
            x=[r["macs"] for r in trained], y=[r["params"] for r in trained],
            text=[r["name"] for r in trained], mode="markers+text", textposition="top center",
            name="trained (colour = test accuracy)",
            customdata=[[r["accuracy"] * 100] for r in trained],
            marker={"size": 16, "color": [r["accuracy"] for r in trained], "colorscale": "Viridis",
                    "cmin": 0, "cmax": 1, "colorbar": {"title": "test acc.", "tickformat": ".0%"}},
            hovertemplate=hover + "<br>best test accuracy %{customdata[0]:.1f}%<extra></extra>"))
    fig.update_xaxes(type="log", title_text="multiply-adds per image (log)")
    fig.update_yaxes(type="log", title_text="parameters (log)")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 20, "b": 10},
                      legend={"orientation": "h", "y": -0.2})
    return fig
