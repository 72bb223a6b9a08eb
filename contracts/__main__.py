"""``python -m contracts``: the same as ``release-mock contract``."""

from .cli import main

raise SystemExit(main())
