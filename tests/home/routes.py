ROUTES = [
    ("GET", "/", {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200},
     "home.index"),
]
