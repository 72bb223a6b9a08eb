"""The meta-schema check of our specs: always in the tests, once per content at start-up (``spec_cache``)."""

from __future__ import annotations

import pathlib
import shutil
import types

import pytest
import yaml
from connexion.exceptions import InvalidSpecification

from mockserver.app import create_app
from mockserver.bundled import SPECS_DIR
from mockserver.fixtures import SAFE_LOADER
from mockserver.openapi31 import OpenAPI31Specification
from mockserver.settings import Settings
from mockserver.spec_cache import CACHE_FILE, DOCUMENTS, ValidatedSpecs

# A schema type the meta-schema refuses; Connexion itself would serve the document regardless.
BROKEN_TYPE = ("type: string", "type: strnig")


@pytest.fixture
def cache_home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """An empty user cache of our own, so no test reads or writes the real one."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "release-mock"


@pytest.fixture
def broken_specs(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of ``specs/`` whose gitlab.yaml fails the meta-schema (and only that)."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS_DIR, specs)
    gitlab = specs / "gitlab.yaml"
    gitlab.write_text(gitlab.read_text(encoding="utf-8").replace(*BROKEN_TYPE, 1), encoding="utf-8")
    return specs


@pytest.mark.parametrize("path", sorted(SPECS_DIR.glob("*.yaml")), ids=lambda path: path.name)
def test_every_bundled_spec_passes_the_meta_schema_whatever_the_cache(path: pathlib.Path) -> None:
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=SAFE_LOADER)
    assert OpenAPI31Specification.from_dict(document).version[:2] == (3, 1)


def test_a_broken_spec_is_refused_at_start_up(cache_home: pathlib.Path, broken_specs: pathlib.Path) -> None:
    # The real gitlab.yaml is known valid; its broken copy has other bytes, so it is checked.
    create_app(Settings(apis=("gitlab",)))
    with pytest.raises(InvalidSpecification, match="strnig"):
        create_app(Settings(specs_dir=broken_specs, apis=("gitlab",)))
    # gitlab.yaml and the admin API's spec, which every app serves; not the broken copy.
    assert len((cache_home / CACHE_FILE).read_text().split()) == 2


def test_a_start_records_each_spec_once_and_the_next_start_trusts_the_record(
    cache_home: pathlib.Path, broken_specs: pathlib.Path
) -> None:
    app = create_app(Settings())
    recorded = (cache_home / CACHE_FILE).read_text().split()
    assert len(set(recorded)) == len(app.mounts) + 1 == 4  # and the admin API's spec
    create_app(Settings())
    assert (cache_home / CACHE_FILE).read_text().split() == recorded
    # What the record changes: bytes listed there skip the meta-schema check (and only they do).
    known = ValidatedSpecs(cache_home)
    known.add(known.key((broken_specs / "gitlab.yaml").read_bytes()))
    assert create_app(Settings(specs_dir=broken_specs, apis=("gitlab",))).mounts


def test_a_new_validator_or_new_rules_start_a_fresh_record(cache_home: pathlib.Path) -> None:
    content = (SPECS_DIR / "gitlab.yaml").read_bytes()
    known = ValidatedSpecs(cache_home)
    assert known.key(content) != known.key(content + b"\n")
    known.add(known.key(content))
    assert known.key(content) in ValidatedSpecs(cache_home)


@pytest.mark.parametrize("unusable", ["a-file", "garbage"])
def test_an_unusable_cache_only_means_checking_again(
    unusable: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, broken_specs: pathlib.Path
) -> None:
    home = tmp_path / "cache-home"
    if unusable == "a-file":
        # Where the cache folder should be there is a file: nothing can be written below it.
        home.write_text("not a folder")
    else:
        (home / "release-mock").mkdir(parents=True)
        (home / "release-mock" / CACHE_FILE).write_bytes(b"\xff\x00 not hashes\n" * 3)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert create_app(Settings(apis=("gitlab",))).mounts
    with pytest.raises(InvalidSpecification, match="strnig"):
        create_app(Settings(specs_dir=broken_specs, apis=("gitlab",)))


def test_the_next_start_reads_each_known_valid_spec_from_its_json_copy(
    cache_home: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create_app(Settings())
    kept = sorted((cache_home / DOCUMENTS).glob("*.json"))
    assert len(kept) == 4  # the three APIs' specs and the admin API's
    # The next start parses no YAML for its specs: each comes from its JSON copy, the same document.
    monkeypatch.setattr("mockserver.openapi31.yaml", types.SimpleNamespace(load=_no_yaml))
    second = create_app(Settings())
    assert {mount: spec.raw for mount, (_, spec) in second.mounts.items()} == {
        mount: spec.raw for mount, (_, spec) in first.mounts.items()
    }


def test_a_damaged_or_inexact_copy_is_not_used(cache_home: pathlib.Path, tmp_path: pathlib.Path) -> None:
    create_app(Settings(apis=("chkk",)))
    for kept in (cache_home / DOCUMENTS).glob("*.json"):
        kept.write_bytes(b"{not json")
    assert create_app(Settings(apis=("chkk",))).mounts  # read from the YAML again
    # A document JSON would change (a YAML date comes back a string) is never kept.
    known = ValidatedSpecs(cache_home)
    key = known.key(b"dated")
    known.add(key)
    known.keep_document(key, yaml.load("info: {x-released: 2024-01-01}", Loader=SAFE_LOADER))
    assert known.document(key) is None


def _no_yaml(*args: object, **kwargs: object) -> None:
    raise AssertionError("a known-valid spec was parsed from YAML again")
