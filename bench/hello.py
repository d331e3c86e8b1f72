"""A Flask hello-world: the yardstick every page of bench/pages.py is measured against."""
from flask import Flask

hello = Flask("hello")


@hello.route("/")
def hello_world() -> str:
    return "Hello, World!"
