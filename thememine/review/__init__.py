"""The local review page (``thememine review RUN_DIR``): confirm, rename, merge, split themes."""

from thememine.review.app import create_app

__all__ = ["create_app"]
