"""Views of the comments blueprint."""

from flask import Blueprint

bp = Blueprint("comments", __name__)
