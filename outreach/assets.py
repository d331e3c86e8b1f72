"""Static files for a slow rural connection: content-hashed names, gzip and Brotli copies, a year in the cache.

At start-up every file of the app's and the blueprints' static folders is copied into a build folder under a
name that carries a hash of its content (`outreach.css` → `outreach.1a2b3c4d5e.css`), next to `.gz` and `.br`
copies. WhiteNoise serves that folder in front of Flask: the encoding the browser accepts, `Cache-Control:
public, max-age=31536000, immutable` for hashed names, so a browser never asks again for a file it has — a new
version has a new name. `url_for('static', filename=...)` (and `url_for('<blueprint>.static', ...)`) hands out
the hashed name by itself, so templates need nothing special. Unhashed names are still served (for
bookmarks and tools), cached for an hour.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

ONE_YEAR = 365 * 24 * 3600
UNHASHED_MAX_AGE = 3600
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".map", ".html", ".xml", ".ico", ".webmanifest"}
HASH_LENGTH = 10


@dataclass
class StaticRoot:
    endpoint: str                 # "static" or "<blueprint>.static"
    url_prefix: str               # "/static/"
    source: Path                  # the folder in the source tree
    build: Path                   # hashed and compressed copies
    names: dict[str, tuple[str, float]] = field(default_factory=dict)   # filename → (hashed name, source mtime)


def hashed_name(name: str, digest: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{ext}"


def _write_atomically(path: Path, data: bytes) -> None:
    # several gunicorn workers may build at once: each writes its own temporary file, then renames it
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _compress(path: Path, data: bytes) -> None:
    if path.suffix not in COMPRESSIBLE or len(data) < 512:
        return
    if not path.with_name(path.name + ".gz").exists():
        _write_atomically(path.with_name(path.name + ".gz"), gzip.compress(data, 9, mtime=0))
    try:
        import brotli  # not a cycle: an optional package (no .br files without it), so imported where used
    except ImportError:  # gzip alone is fine
        return
    if not path.with_name(path.name + ".br").exists():
        _write_atomically(path.with_name(path.name + ".br"), brotli.compress(data, quality=11))


def build_file(root: StaticRoot, filename: str) -> str | None:
    """Copy one source file into the build folder (plain and hashed, with compressed copies); its hashed name."""
    source = root.source / filename
    try:
        stat = source.stat()
    except OSError:
        return None
    known = root.names.get(filename)
    if known and known[1] == stat.st_mtime:
        return known[0]
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    name = hashed_name(filename, digest)
    hashed = root.build / name
    if not hashed.exists():   # the name says the content: an existing file is this very content
        _write_atomically(hashed, data)
    _compress(hashed, data)
    plain = root.build / filename
    if not plain.exists() or plain.read_bytes() != data:
        for old in (plain.with_name(plain.name + ".gz"), plain.with_name(plain.name + ".br")):
            old.unlink(missing_ok=True)
        _write_atomically(plain, data)
    _compress(plain, data)
    root.names[filename] = (name, stat.st_mtime)
    return name


def _static_roots(app: Flask, build_dir: Path) -> list[StaticRoot]:
    roots = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and not rule.endpoint.endswith(".static"):
            continue
        if rule.endpoint == "static":
            folder = app.static_folder
        else:
            blueprint = app.blueprints.get(rule.endpoint.rsplit(".", 1)[0])
            folder = blueprint.static_folder if blueprint else None
        if not folder or not Path(folder).is_dir() or not rule.rule.endswith("/<path:filename>"):
            continue
        if rule.endpoint == "bootstrap.static":
            continue  # the pages use the subset in static/vendor/, not Bootstrap-Flask's full files
        prefix = rule.rule[: -len("<path:filename>")]
        roots.append(StaticRoot(rule.endpoint, prefix, Path(folder), build_dir / rule.endpoint))
    return roots


def init_app(app: Flask) -> None:
    build_dir = Path(app.config.get("STATIC_BUILD_DIR") or Path(app.instance_path) / "static-build")
    roots = _static_roots(app, build_dir)
    by_endpoint = {root.endpoint: root for root in roots}
    for root in roots:
        for path in sorted(root.source.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                build_file(root, path.relative_to(root.source).as_posix())

    def is_hashed(path: str, url: str) -> bool:
        for root in roots:
            if url.startswith(root.url_prefix):
                filename = url[len(root.url_prefix):]
                return any(name == filename for name, _mtime in root.names.values())
        return False

    def add_headers(headers, path: str, url: str) -> None:
        headers["X-Content-Type-Options"] = "nosniff"

    static = WhiteNoise(app.wsgi_app, max_age=UNHASHED_MAX_AGE, immutable_file_test=is_hashed,
                        allow_all_origins=False, add_headers_function=add_headers)
    for root in roots:
        static.add_files(str(root.build), prefix=root.url_prefix)
    app.wsgi_app = static
    app.extensions["outreach_assets"] = by_endpoint

    @app.url_defaults
    def _hashed_static_names(endpoint: str, values: dict) -> None:
        root = by_endpoint.get(endpoint)
        filename = values.get("filename")
        if root is None or not filename:
            return
        name = build_file(root, filename) if app.debug or filename not in root.names else root.names[filename][0]
        if name:
            if app.debug and f"{root.url_prefix}{name}" not in static.files:
                static.add_files(str(root.build), prefix=root.url_prefix)   # a file edited while `make run` runs
            values["filename"] = name


def asset_urls(app: Flask) -> list[str]:
    """Every hashed static URL (for a service worker's pre-cache list, for example)."""
    roots = app.extensions.get("outreach_assets", {})
    return sorted(f"{root.url_prefix}{name}" for root in roots.values() for name, _mtime in root.names.values())


def clean(build_dir: Path) -> None:
    shutil.rmtree(build_dir, ignore_errors=True)
