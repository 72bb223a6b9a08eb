"""The in-memory store: ``Table`` windows and indexes, and ``Store`` reset, snapshot and restore."""

from __future__ import annotations

import typing as t

import pytest

from mockserver.store import Store, Table

Row = dict[str, t.Any]


def table_of(ranks: dict[str, int]) -> Table[str, Row]:
    """Rows keyed by name, indexed by rank (ties broken by name) and by name."""
    table: Table[str, Row] = Table({"rank": lambda row: (row["rank"], row["name"]), "name": lambda row: row["name"]})
    for name, rank in ranks.items():
        table.put(name, {"name": name, "rank": rank})
    return table


def names(rows: t.Iterable[Row]) -> list[str]:
    return [row["name"] for row in rows]


FIVE = {"c": 3, "a": 1, "e": 5, "b": 2, "d": 4}


@pytest.mark.parametrize(
    ("offset", "limit", "descending", "expected"),
    [
        pytest.param(0, 2, False, ["a", "b"], id="first-page-ascending"),
        pytest.param(2, 2, False, ["c", "d"], id="middle-page-ascending"),
        pytest.param(4, 2, False, ["e"], id="last-partial-page-ascending"),
        pytest.param(0, 2, True, ["e", "d"], id="first-page-descending"),
        pytest.param(2, 2, True, ["c", "b"], id="middle-page-descending"),
        pytest.param(4, 2, True, ["a"], id="last-partial-page-descending"),
        pytest.param(0, 100, True, ["e", "d", "c", "b", "a"], id="limit-past-the-end"),
        pytest.param(5, 2, False, [], id="offset-at-the-end"),
        pytest.param(10**30, 2, True, [], id="offset-far-past-the-end"),
        pytest.param(0, 0, False, [], id="zero-limit"),
    ],
)
def test_window_is_the_slice_of_the_ordered_rows(
    offset: int, limit: int, descending: bool, expected: list[str]
) -> None:
    table = table_of(FIVE)
    assert names(table.window("rank", offset=offset, limit=limit, descending=descending)) == expected
    everything = names(table.ordered("rank", descending=descending))
    assert expected == everything[offset : offset + limit]


def test_replacing_a_row_whose_sort_key_changed_moves_it_in_the_index() -> None:
    table = table_of(FIVE)
    table.put("a", {"name": "a", "rank": 10})
    assert names(table.ordered("rank")) == ["b", "c", "d", "e", "a"]
    assert names(table.window("rank", offset=0, limit=2, descending=True)) == ["a", "e"]
    assert names(table.ordered("name")) == ["a", "b", "c", "d", "e"]
    assert len(table) == 5
    assert table.first("rank") == {"name": "b", "rank": 2}
    assert table.first("rank", descending=True) == {"name": "a", "rank": 10}


def test_replaced_row_can_be_deleted_from_every_index() -> None:
    table = table_of(FIVE)
    table.put("c", {"name": "c", "rank": 0})
    assert table.delete("c") == {"name": "c", "rank": 0}
    assert names(table.ordered("rank")) == ["a", "b", "d", "e"]
    assert names(table.ordered("name")) == ["a", "b", "d", "e"]
    assert "c" not in table and table.get("c") is None


def test_delete_keeps_windows_right_and_missing_keys_are_ignored() -> None:
    table = table_of(FIVE)
    assert table.delete("b") == {"name": "b", "rank": 2}
    assert table.delete("b") is None
    assert names(table.window("rank", offset=1, limit=2)) == ["c", "d"]
    assert names(table.window("rank", offset=1, limit=2, descending=True)) == ["d", "c"]
    assert table.keys() == ["c", "a", "e", "d"]


def test_equal_sort_keys_keep_a_total_order_through_the_tie_breaker() -> None:
    table = table_of({"b": 1, "a": 1, "c": 1})
    assert names(table.ordered("rank")) == ["a", "b", "c"]
    table.put("a", {"name": "a", "rank": 1, "note": "replaced"})
    assert names(table.ordered("rank")) == ["a", "b", "c"]
    assert table.get("a") == {"name": "a", "rank": 1, "note": "replaced"}


def test_empty_table() -> None:
    table = table_of({})
    assert table.first("rank") is None
    assert table.window("rank", offset=0, limit=5) == []
    assert list(table) == []


def test_iteration_is_a_copy_so_writes_while_iterating_are_safe() -> None:
    table = table_of(FIVE)
    for row in table:
        table.delete(row["name"])
    assert len(table) == 0


# ---- Store ---------------------------------------------------------------------------------------


class Counter:
    """A tiny state: a table built from the seed, and a plain attribute."""

    def __init__(self, seed: dict[str, int]) -> None:
        self.rows = table_of(seed)
        self.hits = 0


@pytest.fixture
def store() -> Store:
    store = Store()
    store.register("one", Counter, {"a": 1, "b": 2})
    store.register("two", Counter, {"z": 26})
    return store


def test_register_builds_state_from_a_copy_of_the_seed() -> None:
    seed = {"a": 1}
    store = Store()
    store.register("one", lambda data: data, seed)
    store.state("one")["b"] = 2
    store.reset()
    assert store.state("one") == {"a": 1}
    assert seed == {"a": 1}
    assert store.namespaces == ["one"]


def test_reset_one_namespace_leaves_the_others(store: Store) -> None:
    with store.use("one") as one:
        one.rows.put("c", {"name": "c", "rank": 3})
        one.hits = 5
    with store.use("two") as two:
        two.rows.delete("z")
    store.reset("one")
    assert names(store.state("one").rows.ordered("rank")) == ["a", "b"]
    assert store.state("one").hits == 0
    assert len(store.state("two").rows) == 0


def test_reset_all_namespaces(store: Store) -> None:
    store.state("one").rows.delete("a")
    store.state("two").rows.delete("z")
    store.reset()
    assert names(store.state("one").rows.ordered("rank")) == ["a", "b"]
    assert names(store.state("two").rows.ordered("rank")) == ["z"]


def test_snapshot_is_not_changed_by_later_writes(store: Store) -> None:
    snapshot = store.snapshot()
    store.state("one").rows.put("a", {"name": "a", "rank": 9})
    store.state("one").hits = 3
    assert names(snapshot["one"].rows.ordered("rank")) == ["a", "b"]
    assert snapshot["one"].hits == 0


def test_restore_brings_back_the_snapshot_with_working_indexes(store: Store) -> None:
    store.state("one").rows.put("c", {"name": "c", "rank": 0})
    snapshot = store.snapshot()
    store.reset()
    store.restore(snapshot)
    rows = store.state("one").rows
    assert names(rows.ordered("rank")) == ["c", "a", "b"]
    # The restored indexes still find rows by key: replacing and deleting work.
    rows.put("c", {"name": "c", "rank": 7})
    rows.delete("a")
    assert names(rows.ordered("rank")) == ["b", "c"]


def test_restore_copies_so_the_snapshot_can_be_restored_again(store: Store) -> None:
    snapshot = store.snapshot()
    store.restore(snapshot)
    store.state("one").rows.delete("a")
    store.restore(snapshot)
    assert names(store.state("one").rows.ordered("rank")) == ["a", "b"]


def test_restore_of_some_namespaces_leaves_the_others(store: Store) -> None:
    snapshot = store.snapshot()
    store.state("one").rows.delete("a")
    store.state("two").rows.delete("z")
    store.restore({"one": snapshot["one"]})
    assert names(store.state("one").rows.ordered("rank")) == ["a", "b"]
    assert len(store.state("two").rows) == 0


def test_snapshot_and_restore_of_the_gitlab_state(app) -> None:
    snapshot = app.store.snapshot()
    with app.store.use("gitlab") as state:
        state.projects[24].releases.delete("v0.1")
    app.store.restore(snapshot)
    with app.store.use("gitlab") as state:
        assert [release["tag_name"] for release in state.projects[24].releases.ordered("released_at")] == [
            "v0.1",
            "v0.2",
        ]
        # Ids keep counting from where the snapshot was taken, not from the start again.
        assert state.next_id() == snapshot["gitlab"].next_id()
