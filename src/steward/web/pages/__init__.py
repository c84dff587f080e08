"""Server-rendered pages: one router module per domain, included by ``web/app.py``."""
