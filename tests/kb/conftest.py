"""Fixtures for the knowledge-base tests: the shipped data, and whether the registry answers."""

from __future__ import annotations

import socket
from functools import lru_cache

import pytest

from tfdoctor.kb import KnowledgeBase, load


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "network: talks to the package registry (skipped when it cannot be reached)"
    )


@lru_cache(maxsize=1)
def registry_reachable() -> bool:
    try:
        with socket.create_connection(("pypi.org", 443), timeout=5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture()
def registry() -> None:
    if not registry_reachable():
        pytest.skip("the package registry (pypi.org) cannot be reached")
