"""GitLab milestones: a machine that creates, reads, renames, closes, reopens, finds by title and deletes
milestones in the sandbox project against a model. Run by ``gitlab.run`` after the releases machine."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import secrets
import typing as t
import urllib.parse

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, rule

from ..failures import ContractFailure
from ..session import Reply, Session
from .base import bind, call, run_machine

texts = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=30)
dates = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2035, 12, 31))


@dataclasses.dataclass
class Expected:
    """What the machine knows a milestone must look like."""

    id: int
    title: str
    description: str | None
    due_date: str | None
    state: str = "active"


@dataclasses.dataclass
class Target:
    session: Session
    project: str
    prefix: str = dataclasses.field(default_factory=lambda: f"contract-{secrets.token_hex(4)}")
    counter: t.Iterator[int] = dataclasses.field(default_factory=itertools.count)
    leftovers: list[ContractFailure] = dataclasses.field(default_factory=list)

    @property
    def milestones_path(self) -> str:
        return f"/projects/{urllib.parse.quote(self.project, safe='')}/milestones"

    def new_title(self) -> str:
        return f"{self.prefix}-{next(self.counter)}"


class GitLabMilestones(RuleBasedStateMachine):
    """Every answer is compared with ``model``, the milestones this machine created and has not deleted."""

    milestones = Bundle("milestones")
    target: t.ClassVar[Target]

    def __init__(self) -> None:
        super().__init__()
        self.api = self.target.session
        self.model: dict[int, Expected] = {}
        self.created: list[int] = []

    def path(self, milestone_id: int) -> str:
        return f"{self.target.milestones_path}/{milestone_id}"

    @rule(target=milestones, description=st.none() | texts, due=st.none() | dates)
    def create_milestone(self, description: str | None, due: dt.date | None) -> int:
        body: dict[str, t.Any] = {"title": self.target.new_title()}
        if description is not None:
            body["description"] = description
        if due is not None:
            body["due_date"] = due.isoformat()
        reply = call(self.api, "POST", self.target.milestones_path, json=body)
        reply.expect_status("created_milestone_matches_request", 201)
        milestone = reply.object("created_milestone_matches_request")
        if not isinstance(milestone.get("id"), int):
            reply.fail("created_milestone_matches_request", f"id {milestone.get('id')!r} is not an integer")
        self.created.append(milestone["id"])
        expected = Expected(milestone["id"], body["title"], description, body.get("due_date"))
        self.compare(reply, "created_milestone_matches_request", milestone, expected)
        self.model[expected.id] = expected
        return expected.id

    @rule(milestone_id=milestones)
    def get_milestone(self, milestone_id: int) -> None:
        reply = call(self.api, "GET", self.path(milestone_id))
        reply.expect_status("milestone_matches_model", 200)
        self.compare(
            reply, "milestone_matches_model", reply.object("milestone_matches_model"), self.model[milestone_id]
        )

    @rule(milestone_id=milestones, rename=st.booleans(), event=st.none() | st.sampled_from(["close", "activate"]))
    def update_milestone(self, milestone_id: int, rename: bool, event: str | None) -> None:
        known = self.model[milestone_id]
        body: dict[str, t.Any] = {"title": self.target.new_title()} if rename else {}
        if event is not None or not body:
            body["state_event"] = event or "close"
        reply = call(self.api, "PUT", self.path(milestone_id), json=body)
        reply.expect_status("milestone_update_is_visible", 200)
        states = {"close": "closed", "activate": "active"}
        expected = dataclasses.replace(
            known,
            title=body.get("title", known.title),
            state=states.get(body.get("state_event", ""), known.state),
        )
        self.compare(reply, "milestone_update_is_visible", reply.object("milestone_update_is_visible"), expected)
        self.model[milestone_id] = expected

    @rule(milestone_id=milestones)
    def find_by_title(self, milestone_id: int) -> None:
        known = self.model[milestone_id]
        for state, listed in (("all", True), ("active", known.state == "active"), ("closed", known.state == "closed")):
            reply = call(self.api, "GET", self.target.milestones_path, params={"title": known.title, "state": state})
            reply.expect_status("milestone_title_filter", 200)
            found = [item.get("id") for item in reply.array("milestone_title_filter") if isinstance(item, dict)]
            if found != ([milestone_id] if listed else []):
                message = (
                    f"title={known.title!r} state={state}: expected {[milestone_id] if listed else []}, got {found}"
                )
                reply.fail("milestone_title_filter", message)

    @rule(milestone_id=consumes(milestones))
    def delete_milestone(self, milestone_id: int) -> None:
        reply = call(self.api, "DELETE", self.path(milestone_id))
        reply.expect_status("deleted_milestone_answers_404", 204)
        self.model.pop(milestone_id)
        gone = call(self.api, "GET", self.path(milestone_id))
        gone.expect_status("deleted_milestone_answers_404", 404)

    def compare(self, reply: Reply, check: str, milestone: dict[str, t.Any], expected: Expected) -> None:
        for field in ("id", "title", "description", "due_date", "state"):
            wanted, got = getattr(expected, field), milestone.get(field)
            if got != wanted:
                reply.fail(check, f"milestone {expected.id}: {field} should be {wanted!r}, got {got!r}")

    def teardown(self) -> None:
        for milestone_id in self.created:
            try:
                reply = call(self.api, "DELETE", self.path(milestone_id))
            except ContractFailure as failed:
                failure = ContractFailure("cleanup", failed.operation, failed.message, failed.request)
                self.target.leftovers.append(failure)
                continue
            if reply.status not in (204, 404):
                message = f"could not remove milestone {milestone_id}: status {reply.status}"
                self.target.leftovers.append(ContractFailure("cleanup", reply.operation, message, reply.request))


def run(session: Session, project: str, max_examples: int, seed: int | None) -> list[ContractFailure]:
    target = Target(session, project)
    failures = run_machine(bind(GitLabMilestones, target=target), max_examples=max_examples, seed=seed)
    return failures + list(target.leftovers)
