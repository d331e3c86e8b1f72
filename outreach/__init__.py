"""Outreach: arts-education outreach programmes in Kazakhstan.

The application factory is `outreach.app.create_app` (see ARCHITECTURE.md for the plan of the house).
This `__init__` stays empty: Python runs it before any `outreach.<module>`, so whatever it imported would be
half-initialised for every module of the package.
"""
