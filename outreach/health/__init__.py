"""Is this server alive and ready: /healthz, /readyz, and the database probe that fails requests fast."""
