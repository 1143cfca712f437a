"""The beacon for readers who are logged in: staff are left out (blog/audience/beacon.py).

Readers without a login cookie never reach this view: the middleware answers them.
CSRF does not apply: the beacon changes nothing a reader owns, is sent by cached pages
that carry no token, and `beacon.count` refuses requests from other sites instead.
"""

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from blog.audience.beacon import GIF, HEADERS, count
from blog.extensions import csrf

bp = Blueprint("audience", __name__)


@bp.route("/hit", methods=["GET", "POST"])
@csrf.exempt
def hit() -> Response:
    if not (current_user.is_authenticated and current_user.can_write):
        count(current_app._get_current_object(), request.environ)  # type: ignore[attr-defined]
    if request.method == "POST":
        return Response(status=204, headers=HEADERS)
    return Response(GIF, mimetype="image/gif", headers=HEADERS)
