"""Route × role rows for the app shell: the manifest, the service worker and the offline page are for everyone
(the offline page is fetched without cookies by the service worker)."""
EVERYONE = {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200}

ROUTES = [
    ("GET", "/manifest.webmanifest", EVERYONE, "offline.manifest"),
    ("GET", "/sw.js", EVERYONE, "offline.service_worker"),
    ("GET", "/offline", EVERYONE, "offline.offline_page"),
]
