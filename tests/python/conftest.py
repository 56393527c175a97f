"""Fixtures shared by the Python-side tests (helpers live in xform_testlib.py)."""

import os

import pytest

from xform_testlib import DBT_ENV, xform_executable


@pytest.fixture(scope="session")
def xform() -> str:
    """Absolute path of the xform binary under test ($XFORM, else `xform` on PATH)."""
    return xform_executable()


@pytest.fixture(autouse=True, scope="session")
def _clean_dbt_environment():
    """Tests decide themselves which DBT_* variables xform sees."""
    saved = {k: os.environ.pop(k) for k in DBT_ENV if k in os.environ}
    yield
    os.environ.update(saved)
