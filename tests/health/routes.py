ROUTES = [
    ("GET", "/healthz", {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200,
      "artist": 200},
     "health.healthz"),
    ("GET", "/readyz", {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200,
      "artist": 200},
     "health.readyz"),
]
