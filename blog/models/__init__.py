"""Every table of the site, one module per domain, re-exported: `from blog.models import X`.

people (accounts and roles), content (articles, categories, tags, uploads), comments,
site (pages, settings, cache versions, throttles, tokens, audit, redirects, imports),
desk (presence, autosaves, notes, assignments), signin (second factors, login sessions),
jobs (the queue), newsletter (subscribers and issues), donations (appeal clicks),
audience (counted views and their daily roll-up).
Importing this package registers every table on the metadata.
"""

from blog.models.audience import (
    AudienceDay,
    PageDay,
    PageView,
    RollupMark,
    SourceDay,
    ViewDay,
    VisitorSalt,
)
from blog.models.comments import REPORT_KINDS, Comment, CommentReport, CommentStatus
from blog.models.common import NEVER_REUSE_IDS
from blog.models.content import (
    Article,
    ArticleByline,
    ArticleCorrection,
    ArticleStatus,
    ArticleVersion,
    Category,
    GuestAuthor,
    MediaFile,
    NoteKind,
    RepublishCount,
    SlugRedirect,
    Tag,
    Upload,
    article_tag,
)
from blog.models.desk import ArticleAssignment, ArticleAutosave, ArticleNote, EditorPresence
from blog.models.donations import DonationClick
from blog.models.jobs import Job, JobState
from blog.models.newsletter import NewsletterIssue, Subscriber, SubscriberState
from blog.models.people import Account, Registration, Role, User, Viewer, new_session_token
from blog.models.signin import LoginSession, Passkey, RecoveryCode
from blog.models.site import (
    AuditLog,
    ImportRecord,
    Page,
    Redirect,
    Setting,
    SiteState,
    ThrottleEvent,
    UsedToken,
)

__all__ = [
    "NEVER_REUSE_IDS",
    "REPORT_KINDS",
    "Account",
    "Article",
    "ArticleAssignment",
    "ArticleAutosave",
    "ArticleNote",
    "ArticleByline",
    "ArticleCorrection",
    "RepublishCount",
    "ArticleStatus",
    "ArticleVersion",
    "AudienceDay",
    "AuditLog",
    "Category",
    "Comment",
    "CommentReport",
    "CommentStatus",
    "DonationClick",
    "EditorPresence",
    "GuestAuthor",
    "ImportRecord",
    "MediaFile",
    "Job",
    "JobState",
    "LoginSession",
    "NewsletterIssue",
    "NoteKind",
    "Page",
    "PageDay",
    "PageView",
    "Passkey",
    "RecoveryCode",
    "Redirect",
    "Registration",
    "Role",
    "RollupMark",
    "Setting",
    "SiteState",
    "SlugRedirect",
    "SourceDay",
    "Subscriber",
    "SubscriberState",
    "Tag",
    "ThrottleEvent",
    "Upload",
    "UsedToken",
    "User",
    "ViewDay",
    "Viewer",
    "VisitorSalt",
    "article_tag",
    "new_session_token",
]
