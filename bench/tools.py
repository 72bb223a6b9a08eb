"""The bench's outside tools, installed where missing and allowed: wrk (apt), Prism and WireMock (npm), Java."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import typing as t

NODE_DIR = pathlib.Path(__file__).resolve().parent / ".node"  # git-ignored
PRISM_PACKAGE = "@stoplight/prism-cli@5"
WIREMOCK_PACKAGE = "wiremock@3"


class Tool(t.NamedTuple):
    path: str | None
    why_not: str = ""  # a sentence, when path is None


def _quiet(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def ensure_wrk() -> Tool:
    """wrk from PATH, else from Debian's packages when we are root and apt-get exists."""
    found = shutil.which("wrk")
    if found:
        return Tool(found)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return Tool(None, "wrk is not installed and cannot be (apt-get install -y wrk needs root)")
    print("bench: installing wrk (apt-get install -y wrk)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    found = shutil.which("wrk")
    if found:
        return Tool(found)
    return Tool(None, f"apt-get install -y wrk failed: {installed.stderr.strip()[-200:]}")


def _npm_install(package: str) -> str:
    """Install ``package`` into bench/.node; an error sentence, or '' when it went well."""
    if not shutil.which("npm") or not shutil.which("node"):
        return "node/npm are not installed"
    print(f"bench: installing {package} into {NODE_DIR} (npm install)", flush=True)
    try:
        installed = _quiet(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), package], 900)
    except subprocess.TimeoutExpired:
        return f"npm install {package} took too long"
    return "" if installed.returncode == 0 else f"npm install {package} failed: {installed.stderr.strip()[-200:]}"


def ensure_prism() -> Tool:
    prism = NODE_DIR / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        problem = _npm_install(PRISM_PACKAGE)
        if problem:
            return Tool(None, f"Prism skipped: {problem}")
    if not shutil.which("node"):
        return Tool(None, "Prism skipped: node is not installed")
    return Tool(str(prism)) if prism.exists() else Tool(None, "Prism skipped: its npm package has no prism command")


def _wiremock_jar() -> pathlib.Path | None:
    jars = sorted((NODE_DIR / "node_modules" / "wiremock").glob("**/wiremock-standalone-*.jar"))
    return jars[-1] if jars else None


def ensure_wiremock() -> tuple[Tool, Tool]:
    """(java, the WireMock standalone jar that the npm package ``wiremock`` ships)."""
    java = shutil.which("java")
    if not java:
        return Tool(None, "WireMock skipped: java is not installed (apt-get install default-jre-headless)"), Tool(None)
    if _wiremock_jar() is None:
        problem = _npm_install(WIREMOCK_PACKAGE)
        if problem:
            return Tool(java), Tool(None, f"WireMock skipped: {problem}")
    jar = _wiremock_jar()
    return Tool(java), (Tool(str(jar)) if jar else Tool(None, "WireMock skipped: no jar in its npm package"))


def wrk_version(wrk: str) -> str:
    # wrk -v prints its version and usage, and exits non-zero.
    first = (_quiet([wrk, "-v"], 10).stdout or "wrk").splitlines()
    return first[0].split(" [")[0] if first else "wrk"
