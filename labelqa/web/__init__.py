"""The dashboard: server-rendered pages (Jinja2 templates, vendored static assets, no CDN)."""

from labelqa.web.routes import mount, router

__all__ = ["mount", "router"]
