"""Fixture loading: a bad fixture stops start-up with the file, the place inside it and the reason."""

from __future__ import annotations

import pathlib
import shutil
import typing as t

import pytest
import yaml

from mockserver import Settings, create_app
from mockserver.apis.gitlab import PLUGIN
from mockserver.fixtures import FixtureError
from mockserver.settings import PROJECT_ROOT

Edit = t.Callable[[pathlib.Path], None]


def broken_fixtures(tmp_path: pathlib.Path, edit: Edit) -> pathlib.Path:
    """A copy of ``fixtures/`` with one change made to the GitLab folder."""
    root = tmp_path / "fixtures"
    shutil.copytree(PROJECT_ROOT / "fixtures", root)
    edit(root / "gitlab")
    return root


def change(file: str, mutate: t.Callable[[t.Any], None]) -> Edit:
    """Load one fixture file, change the data, write it back."""

    def edit(folder: pathlib.Path) -> None:
        data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
        mutate(data)
        (folder / file).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return edit


def release_tag_name_is_5(projects: list) -> None:
    projects[0]["releases"][1]["tag_name"] = 5


@pytest.fixture(scope="module")
def gitlab_spec() -> dict[str, t.Any]:
    with open(PROJECT_ROOT / "specs" / PLUGIN.spec_file, encoding="utf-8") as handle:
        return t.cast(dict, yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def test_create_app_names_the_bad_file_the_place_and_the_reason(tmp_path: pathlib.Path) -> None:
    bad = broken_fixtures(tmp_path, change("projects.yaml", release_tag_name_is_5))
    with pytest.raises(FixtureError) as raised:
        create_app(Settings(fixtures_dir=bad))
    error = raised.value
    assert (error.file, error.where, error.reason) == (
        bad / "gitlab" / "projects.yaml",
        "/0/releases/1/tag_name",
        "5 is not of type 'string'",
    )
    assert str(error) == f"{bad / 'gitlab' / 'projects.yaml'}: at /0/releases/1/tag_name: 5 is not of type 'string'"


def test_shipped_fixtures_load(gitlab_spec: dict) -> None:
    seed = PLUGIN.load_seed(PROJECT_ROOT / "fixtures" / "gitlab", gitlab_spec)
    assert sorted(seed) == ["groups", "projects", "users"]
    assert [project["id"] for project in seed["projects"]] == [24, 25, 26]


@pytest.mark.parametrize(
    ("edit", "file", "where", "reason"),
    [
        pytest.param(
            change("projects.yaml", release_tag_name_is_5),
            "projects.yaml",
            "/0/releases/1/tag_name",
            "5 is not of type 'string'",
            id="tag-name-integer",
        ),
        pytest.param(
            change("projects.yaml", lambda projects: projects[0]["releases"][0]["assets"]["links"][0].pop("url")),
            "projects.yaml",
            "/0/releases/0/assets/links/0",
            "'url' is a required property",
            id="link-without-url",
        ),
        pytest.param(
            change(
                "projects.yaml",
                lambda projects: projects[0]["releases"][0]["assets"]["links"][0].update(link_type="zip"),
            ),
            "projects.yaml",
            "/0/releases/0/assets/links/0/link_type",
            "'zip' is not one of ['other', 'runbook', 'image', 'package']",
            id="link-type-unknown",
        ),
        pytest.param(
            change("projects.yaml", lambda projects: projects[0]["releases"][0].update(released_at="yesterday")),
            "projects.yaml",
            "/0/releases/0/released_at",
            "'yesterday' does not match",
            id="released-at-not-a-date",
        ),
        pytest.param(
            change("users.yaml", lambda users: users[0]["tokens"][0].update(scopes=["root"])),
            "users.yaml",
            "/0/tokens/0/scopes/0",
            "'root' is not one of ['api', 'read_api']",
            id="token-scope-unknown",
        ),
        pytest.param(
            change("projects.yaml", lambda projects: projects[0]["members"].update(ghost="developer")),
            "projects.yaml",
            "/0/members/ghost",
            "no user named 'ghost' in users.yaml",
            id="project-member-not-a-user",
        ),
        pytest.param(
            change("groups.yaml", lambda groups: groups[0].setdefault("members", {}).update({"a/b": "guest"})),
            "groups.yaml",
            "/0/members/a~1b",
            "no user named 'a/b' in users.yaml",
            id="group-member-not-a-user",
        ),
        pytest.param(
            lambda folder: (folder / "projects.yaml").write_text("- id: 24\n  name: [unclosed\n"),
            "projects.yaml",
            "line 3, column 1",
            "not valid YAML",
            id="not-yaml",
        ),
        pytest.param(
            lambda folder: (folder / "releases.yaml").write_text("[]\n"),
            "releases.yaml",
            "",
            "unexpected fixture file; expected one of ['groups', 'projects', 'sequences', 'users']",
            id="unexpected-file",
        ),
        pytest.param(
            lambda folder: (folder / "users.yaml").unlink(), "users.yaml", "", "missing fixture file", id="missing-file"
        ),
    ],
)
def test_bad_fixture_is_named_precisely(
    tmp_path: pathlib.Path, gitlab_spec: dict, edit: Edit, file: str, where: str, reason: str
) -> None:
    folder = broken_fixtures(tmp_path, edit) / "gitlab"
    with pytest.raises(FixtureError) as raised:
        PLUGIN.load_seed(folder, gitlab_spec)
    assert (raised.value.file, raised.value.where) == (folder / file, where)
    assert raised.value.reason.startswith(reason)
