"""Faker providers of our own: what release data looks like (versions, tags, SHAs, changelogs, environments).

Every value comes from the Faker instance's ``random`` (seeded by the scenario's seed), never from
the system: the same seed gives the same values on any machine with the same Faker.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from faker import Faker
from faker.providers import BaseProvider

VERSION_STYLES = ("semver", "calver", "package")
ENVIRONMENTS = ("production", "staging", "canary", "qa", "development", "eu-west-1", "us-east-1", "review/feature-x")
CHANGE_KINDS = ("Added", "Changed", "Fixed", "Security")
CHANGE_VERBS = ("Add", "Fix", "Speed up", "Remove", "Document", "Harden", "Refactor", "Support")
CHANGE_OBJECTS = (
    "the release list pagination",
    "retries when the upstream times out",
    "the login form on small screens",
    "caching of project settings",
    "the CSV export of audit events",
    "dark mode in the settings page",
    "webhooks for deploy events",
    "rate limiting of API tokens",
    "the migration of legacy records",
    "error messages of the CLI",
)
ASSETS = (
    ("linux-amd64.tar.gz", "package"),
    ("darwin-arm64.tar.gz", "package"),
    ("windows-amd64.zip", "package"),
    ("SHA256SUMS", "other"),
    ("container-image", "image"),
    ("runbook", "runbook"),
)


class ReleaseProvider(BaseProvider):  # type: ignore[misc]
    """Release-shaped values, each drawn from the generator's seeded random."""

    def commit_sha(self) -> str:
        return f"{self.generator.random.getrandbits(160):040x}"

    def environment(self) -> str:
        return self.random_element(ENVIRONMENTS)  # type: ignore[no-any-return]

    def build_metadata(self) -> str:
        """What follows ``+`` in a version: a build number or a short commit."""
        if self.generator.random.random() < 0.5:
            return f"build.{self.generator.random.randint(1, 9999)}"
        return f"sha.{self.commit_sha()[:7]}"

    def changelog(self, version: str, entries: int = 3) -> str:
        """A Markdown changelog: a heading, then one bullet per change with a merge request number."""
        # random() scaled rather than randrange(): a few times faster, and ten thousand releases each call it often.
        draw = self.generator.random.random
        lines = [f"## {version}", ""]
        for _ in range(entries):
            kind = CHANGE_KINDS[int(draw() * len(CHANGE_KINDS))]
            verb = CHANGE_VERBS[int(draw() * len(CHANGE_VERBS))]
            thing = CHANGE_OBJECTS[int(draw() * len(CHANGE_OBJECTS))]
            lines.append(f"- **{kind}**: {verb} {thing}. !{100 + int(draw() * 99900)}")
        return "\n".join(lines)

    def asset(self, index: int) -> tuple[str, str]:
        """The ``index``-th asset file name and link type of a release (names stay unique within it)."""
        name, link_type = ASSETS[index % len(ASSETS)]
        return (name if index < len(ASSETS) else f"{index}-{name}"), link_type


class VersionWalk:
    """Successive versions of one product, rising with time as real release histories do.

    ``semver``: mostly patch bumps, some minor, rarely major. ``calver``: ``YYYY.MM.N`` from the
    release's date. ``package``: ``<package>@<semver>``. A share of them carry ``+build`` metadata.
    """

    def __init__(self, fake: Faker, style: str, package: str = "app", build: float = 0.0) -> None:
        self.fake = fake
        self.style = style
        self.package = package
        self.build = build
        random = fake.random
        self.major, self.minor, self.patch = random.randint(0, 3), random.randint(0, 9), random.randint(0, 9)
        self.calver_month: tuple[int, int] | None = None
        self.calver_count = 0

    def next(self, moment: dt.datetime) -> tuple[str, str]:
        """The next version for a release at ``moment``, and its series (``1.4``, ``2024.06``)."""
        if self.style == "calver":
            month = (moment.year, moment.month)
            self.calver_count = self.calver_count + 1 if month == self.calver_month else 0
            self.calver_month = month
            core, series = f"{moment.year}.{moment.month:02d}.{self.calver_count}", f"{moment.year}.{moment.month:02d}"
        else:
            roll = self.fake.random.random()
            # About one major in 200 releases and a minor in 12: a long history stays in plausible numbers.
            if roll < 0.005:
                self.major, self.minor, self.patch = self.major + 1, 0, 0
            elif roll < 0.085:
                self.minor, self.patch = self.minor + 1, 0
            else:
                self.patch += 1
            core, series = f"{self.major}.{self.minor}.{self.patch}", f"{self.major}.{self.minor}"
        if self.build and self.fake.random.random() < self.build:
            core = f"{core}+{self.fake.build_metadata()}"
        return (f"{self.package}@{core}" if self.style == "package" else core), series


def seeded_faker(seed: int | str) -> Faker:
    """A Faker of its own (never the shared class-level one), seeded, with our providers added."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    fake.add_provider(ReleaseProvider)
    return fake


def unique_versions(
    walk: VersionWalk, moments: t.Sequence[dt.datetime], taken: set[str], name: t.Callable[[str], str] = str
) -> list[tuple[str, str]]:
    """One version per moment whose ``name`` (e.g. the tag) is not in ``taken``; each name is added to it.

    Calver's counter and build metadata may repeat a version, and a base may hold it already: the
    walk then moves on, so ``count`` releases are always made.
    """
    versions = []
    for moment in moments:
        version, series = walk.next(moment)
        while name(version) in taken:
            version, series = walk.next(moment)
        taken.add(name(version))
        versions.append((version, series))
    return versions
