"""The API tests' JSON client, for the outcomes' API tests too."""
from tests.api.conftest import api  # noqa: F401
