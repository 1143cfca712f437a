"""Views of the public site."""

from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    return "home"
