"""What GitLab keeps in its data's memo between requests is never read back stale: rendered releases
(``views.release_json``) and a caller's access to a project (``auth.access_to_project``).

Each test first reads (so something is kept), then changes what was kept depends on, through the
API, the store, the clock or the caller, and reads again.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from mockserver import MockApp
from tests.conftest import GUEST, MAINTAINER, OUTSIDER, REPORTER

LATER = dt.datetime(2031, 6, 1, tzinfo=dt.UTC)


def _both(gitlab: httpx.Client, project: int, tag: str) -> tuple[dict, dict]:
    """The release as GET answers it and as the list shows it."""
    one = gitlab.get(f"/projects/{project}/releases/{tag}")
    listed = gitlab.get(f"/projects/{project}/releases", params={"per_page": 100})
    assert one.status_code == listed.status_code == 200
    return one.json(), next(release for release in listed.json() if release["tag_name"] == tag)


def test_an_update_shows_at_once(gitlab: httpx.Client, app: MockApp) -> None:
    _both(gitlab, 24, "v0.1")
    assert len(app.store.state("gitlab").memo) > 0
    assert gitlab.put("/projects/24/releases/v0.1", json={"description": "Rewritten"}).status_code == 200
    one, listed = _both(gitlab, 24, "v0.1")
    assert one["description"] == listed["description"] == "Rewritten"


def test_a_new_link_shows_at_once(gitlab: httpx.Client) -> None:
    before, _ = _both(gitlab, 24, "v0.1")
    created = gitlab.post(
        "/projects/24/releases/v0.1/assets/links", json={"name": "new-asset", "url": "https://example.com/new"}
    )
    assert created.status_code == 201
    one, listed = _both(gitlab, 24, "v0.1")
    assert one == listed
    assert [link["name"] for link in one["assets"]["links"]] == [
        "new-asset",
        *[link["name"] for link in before["assets"]["links"]],
    ]
    assert one["assets"]["count"] == before["assets"]["count"] + 1


def test_a_deleted_release_is_gone_at_once(gitlab: httpx.Client) -> None:
    _both(gitlab, 24, "v0.1")
    assert gitlab.delete("/projects/24/releases/v0.1").status_code == 200
    assert gitlab.get("/projects/24/releases/v0.1").status_code == 404
    assert "v0.1" not in [release["tag_name"] for release in gitlab.get("/projects/24/releases").json()]


def test_a_refused_write_changes_nothing_shown(gitlab: httpx.Client) -> None:
    before = _both(gitlab, 24, "v0.2")
    # A link whose URL another link of the release already has: refused after the release was read.
    taken = before[0]["assets"]["links"][0]["url"]
    refused = gitlab.post("/projects/24/releases/v0.2/assets/links", json={"name": "again", "url": taken})
    assert refused.status_code == 400
    assert _both(gitlab, 24, "v0.2") == before


def test_upcoming_flips_when_the_clock_passes_the_release_date(gitlab: httpx.Client, app: MockApp) -> None:
    app.clock.freeze(LATER - dt.timedelta(days=1))
    created = gitlab.post(
        "/projects/24/releases", json={"tag_name": "v9.9", "ref": "main", "released_at": LATER.isoformat()}
    )
    assert created.status_code == 201
    one, listed = _both(gitlab, 24, "v9.9")
    assert one["upcoming_release"] is listed["upcoming_release"] is True
    app.clock.advance(2 * 24 * 3600)
    one, listed = _both(gitlab, 24, "v9.9")
    assert one["upcoming_release"] is listed["upcoming_release"] is False
    app.clock.freeze(LATER - dt.timedelta(seconds=1))
    assert _both(gitlab, 24, "v9.9")[0]["upcoming_release"] is True


def test_a_milestone_expires_when_the_clock_passes_its_due_date(gitlab: httpx.Client, app: MockApp) -> None:
    # v0.2's milestones are both due 2019-08-16: not expired on the day, expired the day after.
    app.clock.freeze(dt.datetime(2019, 8, 16, 23, 59, tzinfo=dt.UTC))
    one, listed = _both(gitlab, 24, "v0.2")
    assert [m["expired"] for m in one["milestones"]] == [m["expired"] for m in listed["milestones"]] == [False, False]
    assert len(app.store.state("gitlab").memo) > 0
    app.clock.advance(60)
    one, listed = _both(gitlab, 24, "v0.2")
    assert [m["expired"] for m in one["milestones"]] == [m["expired"] for m in listed["milestones"]] == [True, True]
    # The milestones API says the same of the same milestone on the same day.
    assert gitlab.get("/projects/24/milestones/51").json()["expired"] is True
    app.clock.freeze(dt.datetime(2019, 8, 1, tzinfo=dt.UTC))
    assert [m["expired"] for m in _both(gitlab, 24, "v0.2")[0]["milestones"]] == [False, False]


def test_a_milestone_without_a_due_date_never_expires(gitlab: httpx.Client) -> None:
    created = gitlab.post("/projects/24/milestones", json={"title": "someday"})
    assert created.status_code == 201
    named = gitlab.put("/projects/24/releases/v0.1", json={"milestones": ["someday"]})
    assert named.status_code == 200
    one, listed = _both(gitlab, 24, "v0.1")
    assert [m["expired"] for m in one["milestones"]] == [m["expired"] for m in listed["milestones"]] == [None]
    assert created.json()["expired"] is None


def test_a_commit_the_project_does_not_know_is_dated_by_the_clock_each_time(gitlab: httpx.Client, app: MockApp) -> None:
    unknown_sha = "0123456789abcdef0123456789abcdef01234567"
    app.clock.freeze(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    created = gitlab.post("/projects/24/releases", json={"tag_name": "ci-build", "ref": unknown_sha})
    assert created.status_code == 201
    assert _both(gitlab, 24, "ci-build")[0]["commit"]["created_at"] == "2030-01-01T00:00:00.000Z"
    app.clock.advance(60)
    one, listed = _both(gitlab, 24, "ci-build")
    assert one["commit"]["created_at"] == listed["commit"]["created_at"] == "2030-01-01T00:01:00.000Z"


@pytest.mark.parametrize(
    ("token", "edit_url"),
    [
        pytest.param(MAINTAINER, True, id="maintainer-may-edit"),
        pytest.param(REPORTER, False, id="reporter-may-not"),
        pytest.param(None, False, id="anonymous-may-not"),
    ],
)
def test_each_caller_sees_their_own_rights(server, token: str | None, edit_url: bool) -> None:
    # The maintainer reads first, so a rendering with an edit link is there to be (wrongly) reused.
    headers = {"PRIVATE-TOKEN": MAINTAINER}
    assert "edit_url" in httpx.get(f"{server.url}/api/v4/projects/24/releases/v0.1", headers=headers).json()["_links"]
    with httpx.Client(
        base_url=f"{server.url}/api/v4", headers={"PRIVATE-TOKEN": token} if token else {}, timeout=10
    ) as client:
        one, listed = _both(client, 24, "v0.1")
    assert ("edit_url" in one["_links"]) is ("edit_url" in listed["_links"]) is edit_url


def test_a_guest_does_not_see_code_a_reporter_saw(server) -> None:
    # Neither may edit: only the right to read code tells the two renderings apart.
    url = f"{server.url}/api/v4/projects/25/releases"
    reporter = httpx.get(url, headers={"PRIVATE-TOKEN": REPORTER}).json()
    guest = httpx.get(url, headers={"PRIVATE-TOKEN": GUEST}).json()
    assert [release["tag_name"] for release in guest] == [release["tag_name"] for release in reporter]
    assert all("commit" in release and "sources" in release["assets"] for release in reporter)
    assert not any("commit" in release or "sources" in release["assets"] for release in guest)


def test_each_host_gets_its_own_urls(server) -> None:
    url = f"{server.url}/api/v4/projects/24/releases/v0.1"
    headers = {"PRIVATE-TOKEN": MAINTAINER}
    first = httpx.get(url, headers=headers).json()
    other = httpx.get(url, headers={**headers, "Host": "gitlab.example.com"}).json()
    assert first["_links"]["self"].startswith(server.url)
    assert other["_links"]["self"] == "http://gitlab.example.com/root/awesome-app/-/releases/v0.1"


def test_html_descriptions_are_kept_apart(gitlab: httpx.Client) -> None:
    plain = gitlab.get("/projects/24/releases/v0.1").json()
    html = gitlab.get("/projects/24/releases/v0.1", params={"include_html_description": "true"}).json()
    assert "description_html" not in plain
    assert "description_html" in html
    assert "description_html" not in gitlab.get("/projects/24/releases/v0.1").json()


def test_a_reset_forgets_what_was_rendered(gitlab: httpx.Client, app: MockApp) -> None:
    assert gitlab.put("/projects/24/releases/v0.1", json={"description": "Rewritten"}).status_code == 200
    assert _both(gitlab, 24, "v0.1")[0]["description"] == "Rewritten"
    app.reset()
    one, listed = _both(gitlab, 24, "v0.1")
    assert one["description"] == listed["description"] != "Rewritten"


def test_access_is_the_callers_own(server) -> None:
    url = f"{server.url}/api/v4/projects/25/releases"
    assert httpx.get(url, headers={"PRIVATE-TOKEN": MAINTAINER}).status_code == 200
    # The same project named by its path, by another caller, by nobody, with a token that is no token.
    named = f"{server.url}/api/v4/projects/release-team%2Fsecret-app/releases"
    assert httpx.get(named, headers={"PRIVATE-TOKEN": MAINTAINER}).status_code == 200
    assert httpx.get(url, headers={"PRIVATE-TOKEN": OUTSIDER}).status_code == 404
    assert httpx.get(url).status_code == 404
    assert httpx.get(url, headers={"PRIVATE-TOKEN": "glpat-no-such-token"}).status_code == 401
    assert httpx.get(url, headers={"PRIVATE-TOKEN": MAINTAINER}).status_code == 200


def test_access_follows_a_change_in_the_store(anonymous: httpx.Client, app: MockApp) -> None:
    assert anonymous.get("/projects/24/releases").status_code == 200
    with app.store.transaction("gitlab") as data:
        projects = data.table("projects")
        projects.put({**projects.get(24), "visibility": "private"})
    assert anonymous.get("/projects/24/releases").status_code == 404
