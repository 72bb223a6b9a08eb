"""GitLab's fixture data (``fixtures/gitlab/*.yaml``, an import, a dump) to tables and back.

``load_state`` fills empty data from fixture data, giving what the fixtures leave out its
default (undated things are dated by the clock's ``now``); ``dump_state`` writes the data back
in the same form with every default spelled out, plus the ``sequences`` part (the id counters),
so that loading a dump gives the same rows and counters again.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import pathlib
import typing as t

from ...clock import iso_stored, stored_from
from ...fixtures import FixtureError, each, validate_seed
from ...store import ApiData, Row
from .state import ID_COUNTER, MILESTONE_COUNTER, GitLabState, lean_release

FIXTURE_SCHEMA = pathlib.Path(__file__).with_name("fixture_schema.yaml")
ORIGIN = "gitlab"

Seed = dict[str, t.Any]
Where = t.Callable[[str], pathlib.Path]
"""A fixture part's stem -> the file (or in-memory origin) to name in an error."""


def check_seed(seed: t.Mapping[str, t.Any], spec: t.Mapping[str, t.Any]) -> Seed:
    """Fixture data held in memory, validated as files are, with the same reference checks."""
    checked = validate_seed(seed, FIXTURE_SCHEMA, spec, ORIGIN)
    check_references(checked, lambda stem: pathlib.Path(ORIGIN, stem))
    return checked


def check_references(seed: Seed, where: Where) -> None:
    """What the fixture schema cannot see: members and authors name users, releases name their project's milestones."""
    usernames = {user["username"] for user in seed.get("users", [])}
    users = where("users").name
    for stem in ("groups", "projects"):
        for index, record in enumerate(seed.get(stem, [])):
            for name in record.get("members") or {}:
                if name not in usernames:
                    pointer = f"/{index}/members/{name.replace('~', '~0').replace('/', '~1')}"
                    raise FixtureError(where(stem), pointer, f"no user named {name!r} in {users}")
    for index, project in enumerate(seed.get("projects", [])):
        named = [
            (f"/{index}/{part}/{position}/{field}", record.get(field))
            for part, field in (("uploads", "uploaded_by"), ("packages", "creator"))
            for position, record in enumerate(project.get(part, []))
        ]
        for pointer, name in named:
            if name is not None and name not in usernames:
                raise FixtureError(where("projects"), pointer, f"no user named {name!r} in {users}")
        titles = {milestone["title"] for milestone in project.get("milestones", [])}
        ids = {str(milestone["id"]) for milestone in project.get("milestones", [])}
        for position, release in enumerate(project.get("releases", [])):
            pointer = f"/{index}/releases/{position}"
            if "author" in release and release["author"] not in usernames:
                raise FixtureError(
                    where("projects"), f"{pointer}/author", f"no user named {release['author']!r} in {users}"
                )
            for title in release.get("milestones", []):
                if title not in titles:
                    raise FixtureError(where("projects"), f"{pointer}/milestones", f"no milestone titled {title!r}")
            for milestone_id in release.get("milestone_ids", []):
                if str(milestone_id) not in ids:
                    raise FixtureError(where("projects"), f"{pointer}/milestone_ids", f"no milestone {milestone_id!r}")


def _moment(value: t.Any, default: str) -> str:
    return default if value is None else stored_from(value)


def load_state(data: ApiData, seed: Seed, now: dt.datetime, *, consume: bool = False) -> None:
    """Fill empty data from checked fixture data; ``now`` dates what the fixtures leave undated.

    ``consume``: the data is ours to take apart; a project's tags and releases are let go as they are read.
    """
    state = GitLabState(data)
    user_ids: dict[str, int] = {}
    for user in seed.get("users", []):
        user_ids[user["username"]] = user["id"]
        state.users.put({key: value for key, value in user.items() if key != "tokens"})
        for token in user.get("tokens", []):
            state.tokens.put(_token_row(token, user["id"]))
    for group in seed.get("groups", []):
        state.groups.put(
            {
                "id": group["id"],
                "name": group["name"],
                "path": group["path"],
                "full_path": group.get("full_path", group["path"]),
                "description": group.get("description", ""),
                "visibility": group.get("visibility", "public"),
                "members": dict(group.get("members") or {}),
            }
        )
        for milestone in group.get("milestones", []):
            state.group_milestones.put(_milestone_row(milestone, {"group_id": group["id"]}, iso_stored(now)))
    # Releases the fixtures leave without an id get the next ones after every id they do give.
    last_id = max(
        [seed.get("sequences", {}).get(ID_COUNTER, 0)]
        + [
            record.get("id", 0)
            for project in seed.get("projects", [])
            for release in project.get("releases", [])
            for record in [release, *release.get("assets", {}).get("links", [])]
        ]
        + [
            record.get("id", 0)
            for project in seed.get("projects", [])
            for package in project.get("packages", [])
            for record in [package, *package.get("files", [])]
        ]
        + [upload["id"] for project in seed.get("projects", []) for upload in project.get("uploads", [])]
    )
    for raw in seed.get("projects", []):
        last_id = _load_project(state, raw, user_ids, iso_stored(now), last_id, consume)
    data.set_counter(ID_COUNTER, last_id)
    milestone_ids = [row["id"] for row in state.milestones] + [row["id"] for row in state.group_milestones]
    data.set_counter(MILESTONE_COUNTER, max([seed.get("sequences", {}).get(MILESTONE_COUNTER, 0), *milestone_ids]))


def _milestone_row(milestone: dict[str, t.Any], owner: dict[str, int], default_moment: str) -> Row:
    """A milestone as stored: moments in the stored form; ``web_url`` and ``expired`` are computed when shown."""
    created = _moment(milestone.get("created_at"), default_moment)
    return {
        **owner,
        "id": milestone["id"],
        "iid": milestone["iid"],
        "title": milestone["title"],
        "description": milestone.get("description"),
        "state": milestone.get("state", "active"),
        "created_at": created,
        "updated_at": _moment(milestone.get("updated_at"), created),
        "due_date": milestone.get("due_date"),
        "start_date": milestone.get("start_date"),
        "issue_stats": dict(milestone.get("issue_stats") or {"total": 0, "closed": 0}),
    }


def _token_row(token: dict[str, t.Any], user_id: int) -> Row:
    row = {
        "token": token["token"],
        "user_id": user_id,
        "kind": token.get("kind", "personal"),
        "scopes": list(token.get("scopes", ["api"])),
        "revoked": bool(token.get("revoked", False)),
        "project_id": token.get("project_id"),
    }
    if "note" in token:
        row["note"] = token["note"]
    return row


def _load_project(
    state: GitLabState, raw: dict[str, t.Any], user_ids: dict[str, int], now: str, last_id: int, consume: bool
) -> int:
    project_id = raw["id"]
    created = _moment(raw.get("created_at"), now)
    state.projects.put(
        {
            "id": project_id,
            "name": raw.get("name", raw["path"]),
            "path": raw["path"],
            "description": raw.get("description"),
            "namespace": dict(raw["namespace"]),
            "group_id": raw.get("group_id"),
            "visibility": raw.get("visibility", "public"),
            "default_branch": raw.get("default_branch", "main"),
            "created_at": created,
            "members": dict(raw.get("members") or {}),
            "branches": dict(raw.get("branches", {})),
            "protected_tags": list(raw.get("protected_tags", [])),
        }
    )
    for commit in raw.get("commits", []):
        state.commits.put({"project_id": project_id, **commit})
    milestone_by_title: dict[str, int] = {}
    for milestone in raw.get("milestones", []):
        state.milestones.put(_milestone_row(milestone, {"project_id": project_id}, created))
        milestone_by_title.setdefault(milestone["title"], milestone["id"])
    for tag in each(raw.get("tags", []), consume=consume):
        state.tags.put(
            {
                "project_id": project_id,
                "name": tag["name"],
                "target": tag["target"],
                "message": tag.get("message"),
                "created_at": _moment(tag.get("created_at"), created),
            }
        )
    for release in each(raw.get("releases", []), consume=consume):
        if "id" in release:
            release_id = release["id"]
        else:
            last_id += 1
            release_id = last_id
        released_at = _moment(release.get("released_at"), created)
        created_at = _moment(release.get("created_at"), released_at)
        milestone_ids = [milestone_by_title[title] for title in release.get("milestones", [])]
        milestone_ids += [int(value) for value in release.get("milestone_ids", [])]
        state.releases.put(
            lean_release(
                {
                    "project_id": project_id,
                    "tag_name": release["tag_name"],
                    "id": release_id,
                    "name": release.get("name") or release["tag_name"],
                    "description": release.get("description"),
                    "created_at": created_at,
                    "released_at": released_at,
                    "updated_at": _moment(release.get("updated_at"), created_at),
                    "author_id": user_ids.get(release.get("author", "")),
                    "milestone_ids": milestone_ids,
                    "evidences": [
                        {"sha": evidence["sha"], "collected_at": _moment(evidence.get("collected_at"), created_at)}
                        for evidence in release.get("evidences", [])
                    ],
                }
            )
        )
        for link in release.get("assets", {}).get("links", []):
            state.links.put(
                {
                    "project_id": project_id,
                    "tag_name": release["tag_name"],
                    "id": link["id"],
                    "name": link["name"],
                    "url": link["url"],
                    "filepath": link.get("direct_asset_path") or link.get("filepath"),
                    "link_type": link.get("link_type", "other"),
                    "created_at": _moment(link.get("created_at"), created_at),
                }
            )
    _load_files(state, project_id, raw, user_ids, created)
    return last_id


def _load_files(state: GitLabState, project_id: int, raw: dict[str, t.Any], user_ids: dict[str, int], now: str) -> None:
    """A project's uploads and generic packages; contents become blobs, rows keep their digest."""
    for upload in raw.get("uploads", []):
        content = base64.b64decode(upload["content"])
        state.uploads.put(
            {
                "project_id": project_id,
                "secret": upload["secret"],
                "filename": upload["filename"],
                "id": upload["id"],
                "digest": state.data.blobs.put(content),
                "size": len(content),
                "uploaded_by_user_id": user_ids.get(upload.get("uploaded_by", "")),
                "created_at": _moment(upload.get("created_at"), now),
            }
        )
    for package in raw.get("packages", []):
        created = _moment(package.get("created_at"), now)
        state.packages.put(
            {
                "project_id": project_id,
                "id": package["id"],
                "name": package["name"],
                "version": package["version"],
                "status": package.get("status", "default"),
                "creator_id": user_ids.get(package.get("creator", "")),
                "created_at": created,
                "updated_at": _moment(package.get("updated_at"), created),
            }
        )
        for file in package.get("files", []):
            content = base64.b64decode(file["content"])
            state.package_files.put(
                {
                    "project_id": project_id,
                    "id": file["id"],
                    "package_id": package["id"],
                    "file_name": file["file_name"],
                    "digest": state.data.blobs.put(content),
                    "size": len(content),
                    "file_sha256": hashlib.sha256(content).hexdigest(),
                    "created_at": _moment(file.get("created_at"), created),
                }
            )


def _by(rows: t.Iterable[Row], *fields: str) -> dict[t.Any, list[Row]]:
    """Rows grouped by the values of ``fields``, each group in table order."""
    groups: dict[t.Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row[field] for field in fields), []).append(row)
    return groups


def dump_state(data: ApiData) -> Seed:
    """The data as fixture data (by file stem), valid by ``fixture_schema.yaml``."""
    state = GitLabState(data)
    tokens = _by(state.tokens, "user_id")
    users = []
    for user in state.users:
        owned = [_token_record(token) for token in tokens.get((user["id"],), [])]
        users.append({**user, "tokens": owned} if owned else dict(user))
    usernames = {user["id"]: user["username"] for user in users}
    commits, milestones, tags = (
        _by(state.commits, "project_id"),
        _by(state.milestones, "project_id"),
        _by(state.tags, "project_id"),
    )
    group_milestones = _by(state.group_milestones, "group_id")
    releases, links = _by(state.releases, "project_id"), _by(state.links, "project_id", "tag_name")
    projects = []
    for project in state.projects:
        key = (project["id"],)
        record = {field: value for field, value in project.items() if not (field == "group_id" and value is None)}
        record["commits"] = [
            {field: value for field, value in commit.items() if field != "project_id"}
            for commit in commits.get(key, [])
        ]
        record["milestones"] = [_milestone_record(milestone) for milestone in milestones.get(key, [])]
        record["tags"] = [
            {"name": tag["name"], "target": tag["target"], "message": tag["message"], "created_at": tag["created_at"]}
            for tag in tags.get(key, [])
        ]
        record["releases"] = [
            _release_record(release, usernames, links.get((project["id"], release["tag_name"]), []))
            for release in releases.get(key, [])
        ]
        record.update(_files_records(state, project["id"], usernames))
        projects.append(record)
    return {
        "users": users,
        "groups": [
            {**group, "milestones": [_milestone_record(row) for row in group_milestones.get((group["id"],), [])]}
            for group in state.groups
        ],
        "projects": projects,
        "sequences": {ID_COUNTER: data.counter(ID_COUNTER), MILESTONE_COUNTER: data.counter(MILESTONE_COUNTER)},
    }


def _milestone_record(milestone: Row) -> dict[str, t.Any]:
    return {field: value for field, value in milestone.items() if field not in ("project_id", "group_id")}


def _token_record(token: Row) -> dict[str, t.Any]:
    record = {"token": token["token"], "kind": token["kind"], "scopes": list(token["scopes"])}
    if token["revoked"]:
        record["revoked"] = True
    if token["project_id"] is not None:
        record["project_id"] = token["project_id"]
    if "note" in token:
        record["note"] = token["note"]
    return record


def _release_record(release: Row, usernames: dict[int, str], links: list[Row]) -> dict[str, t.Any]:
    record = {
        "id": release["id"],
        "tag_name": release["tag_name"],
        "name": release["name"],
        "description": release["description"],
        "created_at": release["created_at"],
        "released_at": release["released_at"],
        "updated_at": release["updated_at"],
        "milestone_ids": list(release.get("milestone_ids", ())),
        "evidences": [dict(evidence) for evidence in release.get("evidences", ())],
    }
    if release["author_id"] in usernames:
        record["author"] = usernames[release["author_id"]]
    if links:
        record["assets"] = {"links": [_link_record(link) for link in links]}
    return record


def _link_record(link: Row) -> dict[str, t.Any]:
    record = {"id": link["id"], "name": link["name"], "url": link["url"], "link_type": link["link_type"]}
    if link["filepath"]:
        record["direct_asset_path"] = link["filepath"]
    record["created_at"] = link["created_at"]
    return record


def _content(data: ApiData, digest: str) -> str:
    return base64.b64encode(data.blobs.get(digest) or b"").decode("ascii")


def _files_records(state: GitLabState, project_id: int, usernames: dict[int, str]) -> dict[str, t.Any]:
    """A project's ``uploads`` and ``packages`` in the fixture form, each left out while there are none."""
    parts: dict[str, t.Any] = {}
    uploads = []
    for upload in sorted((row for row in state.uploads if row["project_id"] == project_id), key=lambda row: row["id"]):
        record = {
            "id": upload["id"],
            "secret": upload["secret"],
            "filename": upload["filename"],
            "content": _content(state.data, upload["digest"]),
        }
        if upload["uploaded_by_user_id"] in usernames:
            record["uploaded_by"] = usernames[upload["uploaded_by_user_id"]]
        record["created_at"] = upload["created_at"]
        uploads.append(record)
    if uploads:
        parts["uploads"] = uploads
    packages = []
    for package in state.packages.ordered("project", (project_id,)):
        record = {
            "id": package["id"],
            "name": package["name"],
            "version": package["version"],
            "status": package["status"],
        }
        if package["creator_id"] in usernames:
            record["creator"] = usernames[package["creator_id"]]
        record["created_at"] = package["created_at"]
        record["updated_at"] = package["updated_at"]
        record["files"] = [
            {
                "id": file["id"],
                "file_name": file["file_name"],
                "content": _content(state.data, file["digest"]),
                "created_at": file["created_at"],
            }
            for file in state.package_files.ordered("package", (project_id, package["id"]))
        ]
        packages.append(record)
    if packages:
        parts["packages"] = packages
    return parts
