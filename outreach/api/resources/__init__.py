"""The API's endpoints, one module per resource of ../shared/API.md; each adds its routes to `bp`."""
