"""Offset pagination arithmetic shared by the APIs that page by number (each API writes its own headers)."""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class OffsetPage:
    page: int
    per_page: int
    total: int

    @classmethod
    def clamp(cls, page: int | None, per_page: int | None, total: int, *, default: int, maximum: int) -> OffsetPage:
        """Silently bring ``per_page`` into 1..maximum, as Kaminari-style servers do."""
        size = default if per_page is None else min(max(per_page, 1), maximum)
        return cls(page=max(page or 1, 1), per_page=size, total=total)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.total_pages else None

    @property
    def prev_page(self) -> int | None:
        # As in Kaminari: none on the first page, and none past the end (out of range).
        return self.page - 1 if 1 < self.page <= self.total_pages else None
