"""release-mock: a stateful, spec-driven mock of the GitLab, Sentry and Chkk release APIs."""

from .app import MockApp, create_app
from .settings import Settings

__all__ = ["MockApp", "Settings", "create_app"]
