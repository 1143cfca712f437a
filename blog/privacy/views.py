"""Views of the privacy blueprint: "Download my data" for the logged-in reader.

What the data is: blog/privacy/personal_data.py. An admin's export or erasure of one person on
request is in the admin's people area (blog/admin/people.py); a reader deletes their own
account from the account page (auth.delete_account), which erases the same way.
"""

from flask import Blueprint
from flask_login import login_required
from werkzeug.wrappers import Response

from blog.auth.api import signed_in_user
from blog.core.security_log import security_log
from blog.privacy import personal_data

bp = Blueprint("privacy", __name__)


@bp.get("/auth/account/data")
@login_required
def download() -> Response:
    """The logged-in reader's own data (reading it changes nothing)."""
    user = signed_in_user()
    security_log("data_downloaded", user=user.username)
    return personal_data.json_download(personal_data.export(user), user.username)
