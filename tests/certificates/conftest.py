"""The API client of tests/api, for the certificates' API tests."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api


@pytest.fixture
def api(app) -> Api:
    client = app.test_client()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    return Api(client)
