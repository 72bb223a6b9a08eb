"""``python -m mockserver``."""

from .cli import main

raise SystemExit(main())
