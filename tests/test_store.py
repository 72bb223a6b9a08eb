"""The store: tables of JSON rows with partitioned indexes, counters, blobs, transactions, reset, dump and load."""

from __future__ import annotations

import typing as t

import pytest

from mockserver import MockApp
from mockserver.apis.gitlab.releases import delete_release
from mockserver.apis.gitlab.state import GitLabState
from mockserver.store import ApiData, BlobTooLarge, Index, Memo, Store, TableSpec, digest_of

Row = dict[str, t.Any]

PLAYERS = TableSpec(
    "players",
    key=("name",),
    indexes={
        "rank": Index(order=("rank", "name")),
        "team_rank": Index(partition=("team",), order=("rank", "name")),
    },
)


def data_of(ranks: dict[str, int], team: str = "red") -> ApiData:
    data = ApiData([PLAYERS])
    for name, rank in ranks.items():
        data.table("players").put({"name": name, "rank": rank, "team": team})
    return data


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
    table = data_of(FIVE).table("players")
    assert names(table.window("rank", offset=offset, limit=limit, descending=descending)) == expected
    everything = names(table.ordered("rank", descending=descending))
    assert expected == everything[offset : offset + limit]


def test_partitions_keep_each_group_apart() -> None:
    data = data_of({"a": 2, "b": 1})
    data.table("players").put({"name": "x", "rank": 0, "team": "blue"})
    players = data.table("players")
    assert names(players.ordered("team_rank", ("red",))) == ["b", "a"]
    assert names(players.ordered("team_rank", ("blue",))) == ["x"]
    assert players.count("team_rank", ("red",)) == 2
    assert players.count("team_rank", ("green",)) == 0
    assert players.window("team_rank", ("green",), offset=0, limit=5) == []
    assert names(players.ordered("rank")) == ["x", "b", "a"]


def test_moving_a_row_to_another_partition_moves_it_in_the_index() -> None:
    players = data_of({"a": 2, "b": 1}).table("players")
    players.put({"name": "a", "rank": 2, "team": "blue"})
    assert names(players.ordered("team_rank", ("red",))) == ["b"]
    assert names(players.ordered("team_rank", ("blue",))) == ["a"]


def test_replacing_a_row_whose_sort_key_changed_moves_it_in_the_index() -> None:
    players = data_of(FIVE).table("players")
    players.put({"name": "a", "rank": 10, "team": "red"})
    assert names(players.ordered("rank")) == ["b", "c", "d", "e", "a"]
    assert names(players.window("rank", offset=0, limit=2, descending=True)) == ["a", "e"]
    assert len(players) == 5
    assert players.first("rank") == {"name": "b", "rank": 2, "team": "red"}
    assert players.first("rank", descending=True)["name"] == "a"


def test_delete_keeps_windows_right_and_missing_keys_are_ignored() -> None:
    players = data_of(FIVE).table("players")
    assert players.delete("b")["rank"] == 2
    assert players.delete("b") is None
    assert players.get("b") is None
    assert names(players.window("rank", offset=1, limit=2)) == ["c", "d"]
    assert names(players.window("team_rank", ("red",), offset=1, limit=2, descending=True)) == ["d", "c"]


def test_empty_partition_is_forgotten_when_its_last_row_goes() -> None:
    players = data_of({"a": 1}).table("players")
    players.delete("a")
    assert players.first("team_rank", ("red",)) is None
    assert list(players.ordered("rank")) == []


def test_iteration_is_a_copy_so_writes_while_iterating_are_safe() -> None:
    players = data_of(FIVE).table("players")
    for row in players:
        players.delete(row["name"])
    assert len(players) == 0


def test_counters_hand_out_increasing_ids() -> None:
    data = data_of({})
    assert data.counter("id") == 0
    assert [data.next_id(), data.next_id(), data.next_id("other")] == [1, 2, 1]
    data.set_counter("id", 40)
    assert data.next_id() == 41


def test_blobs_are_kept_once_by_digest_and_limited_in_size() -> None:
    data = ApiData([PLAYERS], blob_limit=8)
    first = data.blobs.put(b"12345")
    assert data.blobs.put(b"12345") == first == digest_of(b"12345")
    assert len(data.blobs) == 1 and data.blobs.get(first) == b"12345"
    with pytest.raises(BlobTooLarge) as refused:
        data.blobs.put(b"123456789")
    assert (refused.value.size, refused.value.limit) == (9, 8)
    assert len(data.blobs) == 1


# ---- Store ---------------------------------------------------------------------------------------


def load_players(data: ApiData, seed: dict[str, int], consume: bool = False) -> None:
    for name, rank in seed.items():
        data.table("players").put({"name": name, "rank": rank, "team": "red"})
    data.set_counter("id", len(seed))


@pytest.fixture
def store() -> Store:
    store = Store()
    store.register("one", [PLAYERS], load_players, {"a": 1, "b": 2})
    store.register("two", [PLAYERS], load_players, {"z": 26})
    return store


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    before = store.dump("one")
    with pytest.raises(RuntimeError), store.transaction("one") as one:
        one.table("players").put({"name": "c", "rank": 0, "team": "red"})
        one.table("players").put({"name": "a", "rank": 9, "team": "blue"})
        one.table("players").delete("b")
        one.next_id()
        one.blobs.put(b"an upload")
        raise RuntimeError("a rule failed after the writes")
    assert store.dump("one") == before
    players = store.state("one").table("players")
    assert names(players.ordered("rank")) == ["a", "b"]
    assert names(players.ordered("team_rank", ("red",))) == ["a", "b"]
    assert players.count("team_rank", ("blue",)) == 0


def test_an_undone_delete_leaves_the_rows_in_the_same_order(store: Store) -> None:
    with store.transaction("one") as one:
        for name in ("c", "d"):
            one.table("players").put({"name": name, "rank": 0, "team": "red"})
    before = store.dump("one")
    with pytest.raises(RuntimeError), store.transaction("one") as one:
        one.table("players").delete("a")
        one.table("players").delete("c")
        raise RuntimeError("undo both deletes")
    assert store.dump("one") == before
    assert names(store.state("one").table("players")) == ["a", "b", "c", "d"]


def test_a_transaction_commits_and_a_nested_one_joins_it(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction("one") as one:
        with store.transaction("one") as inner:
            inner.table("players").put({"name": "c", "rank": 0, "team": "red"})
        raise RuntimeError("the outer transaction fails: the inner write goes too")
    assert store.state("one").table("players").get("c") is None
    with store.transaction("one") as one:
        one.table("players").put({"name": "c", "rank": 0, "team": "red"})
        assert one.next_id() == 3
    assert store.state("one").table("players").get("c")["rank"] == 0
    assert store.state("one").counter("id") == 3


def test_reset_one_namespace_leaves_the_others(store: Store) -> None:
    with store.transaction("one") as one:
        one.table("players").put({"name": "c", "rank": 3, "team": "red"})
        one.next_id()
    with store.transaction("two") as two:
        two.table("players").delete("z")
    store.reset("one")
    assert names(store.state("one").table("players").ordered("rank")) == ["a", "b"]
    assert store.state("one").counter("id") == 2
    assert len(store.state("two").table("players")) == 0
    store.reset()
    assert names(store.state("two").table("players").ordered("rank")) == ["z"]


def test_dump_and_load_give_back_the_same_data(store: Store) -> None:
    with store.transaction("one") as one:
        one.table("players").put({"name": "c", "rank": 0, "team": "blue", "tags": ["x", {"y": None}]})
        one.next_id()
        one.blobs.put(b"\x00binary\xff")
    raw = store.dump("one")
    copy = store.fresh("one")
    copy.load(raw)
    assert copy.dump() == raw
    assert names(copy.table("players").ordered("team_rank", ("blue",))) == ["c"]
    assert copy.blobs.get(digest_of(b"\x00binary\xff")) == b"\x00binary\xff"


def test_install_swaps_whole_namespaces(store: Store) -> None:
    store.install({"one": store.build("one", {"q": 7})})
    assert names(store.state("one").table("players").ordered("rank")) == ["q"]
    with pytest.raises(KeyError):
        store.install({"nobody": store.fresh("one")})


def test_snapshot_is_independent_and_restores_with_working_indexes(store: Store) -> None:
    snapshot = store.snapshot()
    with store.transaction("one") as one:
        one.table("players").put({"name": "a", "rank": 9, "team": "red"})
    assert names(snapshot["one"].table("players").ordered("rank")) == ["a", "b"]
    store.restore(snapshot)
    players = store.state("one").table("players")
    assert names(players.ordered("rank")) == ["a", "b"]
    players.put({"name": "c", "rank": 0, "team": "red"})
    players.delete("a")
    assert names(players.ordered("rank")) == ["c", "b"]
    store.restore(snapshot)
    assert names(store.state("one").table("players").ordered("rank")) == ["a", "b"]


# ---- an API's data in the app's store -----------------------------------------------------------


def test_snapshot_and_restore_of_the_gitlab_data(app: MockApp) -> None:
    snapshot = app.store.snapshot()
    with app.store.transaction("gitlab") as data:
        state = GitLabState(data)
        delete_release(state, state.project(24), "v0.1")
        state.next_id()
    app.store.restore(snapshot)
    releases = app.store.state("gitlab").table("releases")
    assert [release["tag_name"] for release in releases.ordered("released_at", (24,))] == ["v0.1", "v0.2"]
    assert app.store.state("gitlab").table("links").count("release", (24, "v0.1")) == 1
    # Ids keep counting from the snapshot's counter: the id handed out after it is handed out again.
    with app.store.transaction("gitlab") as data:
        assert data.next_id("id") == snapshot["gitlab"].counter("id") + 1 == 21


# -- the memo: what an API derived from its data, never read back once the data changed ---------------------


def _remembered(data: ApiData) -> ApiData:
    data.memo.put("view", b"rendered")
    assert data.memo.get("view") == b"rendered"
    return data


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data.table("players").put({"name": "z", "rank": 9, "team": "red"}), id="put"),
        pytest.param(lambda data: data.table("players").delete(next(iter(data.table("players")))["name"]), id="delete"),
        pytest.param(lambda data: data.next_id(), id="counter"),
        pytest.param(lambda data: data.blobs.put(b"an upload"), id="blob"),
    ],
)
def test_any_change_empties_the_memo_in_a_transaction_or_not(store: Store, change: t.Callable) -> None:
    change(_remembered(store.state("one")))
    assert len(store.state("one").memo) == 0
    with store.transaction("two") as two:
        _remembered(two)
        change(two)
        assert two.memo.get("view") is None


def test_what_was_derived_inside_a_failed_transaction_is_forgotten(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction("one") as one:
        one.table("players").put({"name": "c", "rank": 0, "team": "red"})
        _remembered(one)  # derived from a row about to be undone
        raise RuntimeError("undo")
    assert store.state("one").memo.get("view") is None


def test_reading_keeps_the_memo_and_new_data_starts_without_one(store: Store) -> None:
    with store.transaction("one") as one:
        _remembered(one)
        one.table("players").get("a")
        list(one.table("players").ordered("rank"))
    assert store.state("one").memo.get("view") == b"rendered"
    store.reset("one")
    assert store.state("one").memo.get("view") is None
    _remembered(store.state("two"))
    store.restore(store.snapshot())
    assert store.state("two").memo.get("view") is None


def test_the_memo_is_bounded_oldest_out_first() -> None:
    memo = Memo(size=3)
    for number in range(5):
        memo.put(number, str(number))
    assert len(memo) == 3
    assert [memo.get(number) for number in range(5)] == [None, None, "2", "3", "4"]
    memo.put(4, "four")
    assert len(memo) == 3 and memo.get(2) == "2"
    assert Memo(size=0).put("kept?", "no") == "no" and len(Memo(size=0)) == 0
