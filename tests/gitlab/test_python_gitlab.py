"""python-gitlab 8.6.0 against the mock over real HTTP: projects, releases, links, paging and error classes."""

from __future__ import annotations

import typing as t

import gitlab
import pytest
from gitlab.exceptions import GitlabAuthenticationError, GitlabCreateError, GitlabGetError
from gitlab.v4.objects import Project

from mockserver.serving import BackgroundServer
from tests.conftest import EXPIRED, JOB, MAINTAINER, OUTSIDER, REPORTER

# Five releases on project 24, so per_page=2 needs three pages. Released far in the past, in tag order,
# so the default order (released_at desc) is the reverse of this list.
EXTRA_TAGS = ["p1", "p2", "p3"]
ALL_ASC = ["v0.1", "v0.2", *EXTRA_TAGS]


@pytest.fixture
def gl(server: BackgroundServer) -> t.Iterator[gitlab.Gitlab]:
    with gitlab.Gitlab(server.url, private_token=MAINTAINER) as client:
        yield client


@pytest.fixture
def awesome(gl: gitlab.Gitlab) -> Project:
    return gl.projects.get(24)


@pytest.fixture
def five_releases(awesome: Project) -> Project:
    for day, tag in enumerate(EXTRA_TAGS, start=1):
        awesome.releases.create({"tag_name": tag, "ref": "main", "released_at": f"2020-01-0{day}T00:00:00Z"})
    return awesome


@pytest.mark.parametrize("project_id", [pytest.param(24, id="numeric"), pytest.param("root/awesome-app", id="path")])
def test_project_get_then_sub_paths_use_the_numeric_id(gl: gitlab.Gitlab, project_id: int | str) -> None:
    project = gl.projects.get(project_id)
    assert project.id == 24
    assert project.path_with_namespace == "root/awesome-app"
    # python-gitlab builds sub-paths from the returned id: /projects/24/releases, not /projects/root%2F....
    assert project.releases.path == "/projects/24/releases"
    assert [release.tag_name for release in project.releases.list(get_all=True)] == ["v0.2", "v0.1"]


def test_get_all_follows_link_next_across_pages(five_releases: Project) -> None:
    releases = five_releases.releases.list(get_all=True, per_page=2)
    assert [release.tag_name for release in releases] == ALL_ASC[::-1]


def test_iterator_exposes_page_metadata_and_walks_every_page(five_releases: Project) -> None:
    pages = five_releases.releases.list(iterator=True, per_page=2)
    assert (pages.total, pages.total_pages, pages.per_page, pages.current_page) == (5, 3, 2, 1)
    assert pages.next_page == 2
    assert len(pages) == 5
    assert [release.tag_name for release in pages] == ALL_ASC[::-1]


def test_get_all_with_order_by_and_sort_keeps_the_order_across_pages(five_releases: Project) -> None:
    # python-gitlab re-sends its list kwargs with every Link-next request, so this checks the order, not the Link query.
    releases = five_releases.releases.list(get_all=True, per_page=2, order_by="released_at", sort="asc")
    assert [release.tag_name for release in releases] == ALL_ASC


def test_get_tag_with_slash(gl: gitlab.Gitlab) -> None:
    release = gl.projects.get(25).releases.get("release/2.0")
    assert release.tag_name == "release/2.0"
    assert release.get_id() == "release/2.0"
    assert release.name == "Secret app 2.0"


def test_create_update_and_delete_a_release(awesome: Project) -> None:
    links = [{"name": "bin", "url": "https://example.com/bin", "link_type": "package", "direct_asset_path": "/bin/app"}]
    created = awesome.releases.create(
        {
            "tag_name": "release/1.0",
            "name": "Release 1.0",
            "description": "first",
            "ref": "main",
            "assets": {"links": links},
        }
    )
    assert created.get_id() == "release/1.0"
    # ref created the tag on main's head.
    assert created.commit["id"] == "079e90101242458910cccd35eab0e211dfc359c0"
    assert [link["name"] for link in created.assets["links"]] == ["bin"]

    created.name = "Release 1.0 renamed"
    created.save()
    assert awesome.releases.get("release/1.0").name == "Release 1.0 renamed"

    awesome.releases.delete("release/1.0")
    with pytest.raises(GitlabGetError) as missing:
        awesome.releases.get("release/1.0")
    assert missing.value.response_code == 404


def test_release_links_crud(awesome: Project) -> None:
    release = awesome.releases.get("v0.2")
    assert [link.name for link in release.links.list(get_all=True)] == ["awesome-v0.2.msi", "awesome-v0.2.dmg"]

    created = release.links.create(
        {
            "name": "linux",
            "url": "https://example.com/linux.tgz",
            "link_type": "package",
            "direct_asset_path": "/bin/linux",
        }
    )
    fetched = release.links.get(created.id)
    assert (fetched.name, fetched.link_type) == ("linux", "package")
    assert fetched.direct_asset_url.endswith("/-/releases/v0.2/downloads/bin/linux")

    fetched.name = "linux-amd64"
    fetched.save()
    assert release.links.get(created.id).name == "linux-amd64"

    release.links.delete(created.id)
    assert created.id not in [link.id for link in release.links.list(get_all=True)]
    with pytest.raises(GitlabGetError) as missing:
        release.links.get(created.id)
    assert missing.value.response_code == 404


def test_expired_token_is_an_authentication_error(server: BackgroundServer) -> None:
    with gitlab.Gitlab(server.url, private_token=EXPIRED) as expired:
        with pytest.raises(GitlabAuthenticationError) as error:
            expired.projects.get(24)
    assert error.value.response_code == 401


def test_reporter_cannot_create_a_release(server: BackgroundServer) -> None:
    with gitlab.Gitlab(server.url, private_token=REPORTER) as reporter:
        project = reporter.projects.get(24)
        with pytest.raises(GitlabCreateError) as error:
            project.releases.create({"tag_name": "v0.3"})
        assert error.value.response_code == 403
        with pytest.raises(GitlabGetError):
            project.releases.get("v0.3")


def test_unknown_tag_is_a_get_error(awesome: Project) -> None:
    with pytest.raises(GitlabGetError) as error:
        awesome.releases.get("v404")
    assert error.value.response_code == 404


def test_private_project_is_404_to_an_outsider(server: BackgroundServer) -> None:
    with gitlab.Gitlab(server.url, private_token=OUTSIDER) as outsider:
        with pytest.raises(GitlabGetError) as project_error:
            outsider.projects.get(25)
        with pytest.raises(GitlabGetError) as release_error:
            outsider.projects.get(25, lazy=True).releases.get("v1.0.0")
    assert project_error.value.response_code == release_error.value.response_code == 404


def test_creating_an_existing_release_is_409(awesome: Project) -> None:
    with pytest.raises(GitlabCreateError) as error:
        awesome.releases.create({"tag_name": "v0.1"})
    assert error.value.response_code == 409
    assert error.value.error_message == "Release already exists"


def test_job_token_can_create_a_release(server: BackgroundServer, gl: gitlab.Gitlab) -> None:
    with gitlab.Gitlab(server.url, job_token=JOB) as ci:
        release = ci.projects.get(24, lazy=True).releases.create({"tag_name": "v0.3", "description": "from CI"})
    assert release.tag_name == "v0.3"
    assert gl.projects.get(24, lazy=True).releases.get("v0.3").description == "from CI"
