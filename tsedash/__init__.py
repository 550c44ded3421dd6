"""tsedash: the Trading Ecosystem's dashboards as code."""

__version__ = "0.1.0"
