"""The shapes of the API, one module per domain (../shared/API.md): `common` holds what every domain's shapes use."""
