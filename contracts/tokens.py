"""Which token a run uses and where it came from: a flag, a variable, or the mock's public default."""

from __future__ import annotations

import dataclasses
import os
import typing as t

from .profiles import ApiProfile

FLAG = "--token"
DEFAULT = "default"
"""``TokenChoice.source`` of the mock's own token, used when neither the flag nor a variable gives one."""


@dataclasses.dataclass(frozen=True)
class TokenChoice:
    profile: ApiProfile
    value: str = dataclasses.field(repr=False)
    source: str
    """``--token``, the variable it was read from (``$GITLAB_TOKEN``), or ``default``."""

    @property
    def public(self) -> bool:
        """The mock's own token, printed in its README: no secret, so a report may show it."""
        return self.value == self.profile.default_token

    def describe(self) -> str:
        """Where the token came from, for an error message: "the token from $GITLAB_TOKEN"."""
        if self.source == DEFAULT:
            return f"the mock's default token (no --token; ${' and $'.join(self.profile.token_env)} unset)"
        return f"the token from {self.source}"

    def export_hint(self) -> str | None:
        """What to run so that a printed curl command finds the token in ``profile.placeholder``; None if nothing."""
        variable = self.profile.placeholder
        if self.public or self.source == variable:
            return None
        if self.source == FLAG:
            return f"export {variable.removeprefix('$')}=<the token given to --token>"
        return f'export {variable.removeprefix("$")}="{self.source}"'


def choose_token(
    profile: ApiProfile, flag: str | None = None, environ: t.Mapping[str, str] | None = None
) -> TokenChoice:
    """The token ``ApiProfile.token`` picks (flag, then the variables in order, then the mock's), with its source."""
    environ = os.environ if environ is None else environ
    if flag:
        return TokenChoice(profile, flag, FLAG)
    for name in profile.token_env:
        if environ.get(name):
            return TokenChoice(profile, environ[name], f"${name}")
    return TokenChoice(profile, profile.default_token, DEFAULT)
