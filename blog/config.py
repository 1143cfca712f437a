"""Configuration defaults.

Layered in `create_app`: these defaults, then `instance/config.py`, then `BLOG_*`
environment variables (`BLOG_POSTS_PER_PAGE=20`; values are parsed as JSON when they
can be), then `DATABASE_URL`, then the mapping a test passes in.
"""

from datetime import timedelta

DEFAULTS = {
    # None means: sqlite file instance/blog.sqlite3 (set in create_app).
    "SQLALCHEMY_DATABASE_URI": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # Milliseconds a writer waits for SQLite's write lock before giving up.
    "SQLITE_BUSY_TIMEOUT_MS": 10_000,
    # The site's public address, used for links in emails and feeds outside a request.
    "SITE_URL": "http://127.0.0.1:5000",
    # Passkeys (WebAuthn): the relying party's ID (a host name, never an IP address) and
    # origin; empty means SITE_URL's host and origin (blog/auth/passkeys.py).
    "PASSKEY_RP_ID": "",
    "PASSKEY_ORIGIN": "",
    "TIMEZONE": "UTC",
    # The language of the articles (BCP 47): the news sitemap and the JSON Feed name it.
    "SITE_LANGUAGE": "en",
    # Origins besides this site that pages may load images from (a CDN), space-separated
    # https:// origins; the CSP's img-src (blog.content_security_policy).
    "IMAGE_HOSTS": "",
    # Sessions and cookies.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Secure cookies: None means "when SITE_URL is https://", True/False force it.
    "SECURE_COOKIES": None,
    # Host names the app answers to (Flask checks the Host header); empty = any.
    "TRUSTED_HOSTS": None,
    # Old secret keys that still verify sessions during a rotation grace period.
    "SECRET_KEY_FALLBACKS": [],
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    # Mail: with no MAIL_SERVER, messages are written to instance/outbox/ as .eml files.
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "newsroom@localhost",
    # At most this many messages a second per worker (0: as fast as the server takes them).
    "MAIL_RATE_PER_SECOND": 0,
    # DKIM: a PEM private key file, the selector and the domain (default: the sender's).
    "MAIL_DKIM_KEY_FILE": "",
    "MAIL_DKIM_SELECTOR": "",
    "MAIL_DKIM_DOMAIN": "",
    # The job queue (blog/core/jobs.py): jobs claimed at once, how long a claim holds before
    # another worker may take the job over, retry backoff, periodic tasks' interval.
    "JOBS_BATCH": 50,
    "JOBS_LEASE_SECONDS": 600,
    "JOBS_RETRY_BASE_SECONDS": 60,
    "JOBS_RETRY_MAX_SECONDS": 6 * 3600,
    "JOBS_PERIODIC_SECONDS": 60,
    # `blog worker` retries an unreachable database after this, doubled up to 30 s.
    "JOBS_OUTAGE_RETRY_SECONDS": 1.0,
    # Limits.
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 8 * 1024 * 1024,
    # The largest audio, video or PDF file an import copies (blog/core/media.py).
    "MEDIA_MAX_BYTES": 512 * 1024 * 1024,
    # Image uploads (blog/core/imagework.py): up to this many pixels an image is
    # re-encoded within the request (about 0.3 s at 4 MP); a larger one by `blog
    # worker`, in a child process held to this much memory and CPU.
    "UPLOAD_INLINE_PIXELS": 4_000_000,
    "IMAGE_JOB_MEMORY_MB": 768,
    "IMAGE_JOB_CPU_SECONDS": 30,
    # Admin > Tools > Import: the largest WordPress export the upload accepts (the
    # `blog import-wordpress` command takes any size), and where on the server a copy
    # of the old site's wp-content/uploads is (empty: images are reported, not imported).
    "IMPORT_MAX_BYTES": 64 * 1024 * 1024,
    "IMPORT_UPLOADS_DIR": "",
    "IMPORT_GHOST_IMAGES_DIR": "",  # a copy of Ghost's content/images, for Tools > Import
    # A copy of Ghost's whole content/ folder: images from its images/, file, audio and
    # video cards from files/ and media/ (an IMPORT_GHOST_IMAGES_DIR named "images"
    # finds them beside it too).
    "IMPORT_GHOST_CONTENT_DIR": "",
    # Failed logins (blog/auth/devices.py): per account and IP pair (and per device that
    # logged in before), per account from every IP, per IP.
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_ANY_IP": 50,
    "LOGIN_MAX_FAILURES_PER_IP": 20,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    # Password-reset requests, per address and per IP (each sends a mail).
    "RESET_MAX_PER_ACCOUNT": 5,
    "RESET_MAX_PER_IP": 20,
    "RESET_WINDOW_SECONDS": 60 * 60,
    # Registrations, per address and per IP (each sends a mail to the address).
    "REGISTER_MAX_PER_ADDRESS": 3,
    "REGISTER_MAX_PER_IP": 10,
    "REGISTER_WINDOW_SECONDS": 60 * 60,
    "COMMENT_MIN_SECONDS": 3,  # a human takes at least this long to write a comment
    "COMMENT_MAX_PER_MINUTE": 5,
    "COMMENT_MAX_LINKS": 2,
    "COMMENT_MAX_LENGTH": 5000,
    # Confirmation links (blog/confirm/confirmation.py) work this long; accounts that never
    # confirm are removed by the worker this many days after registering (0: kept).
    "CONFIRM_LINK_HOURS": 48,
    "UNCONFIRMED_ACCOUNT_DAYS": 7,
    # How many reverse proxies in front of the app to trust for the client address.
    "PROXY_COUNT": 0,
    # Cache-Control max-age for anonymous pages (browsers), and s-maxage for shared
    # caches: the nginx micro-cache revalidates after this, so an edit is at the edge
    # within about 2 s (docs/several-servers.md).
    "PUBLIC_CACHE_SECONDS": 60,
    "EDGE_CACHE_SECONDS": 1,
    # SQLite writers queue on a file lock beside the database (blog/core/database.py).
    "SQLITE_WRITER_LOCK": True,
    # The cache of rendered anonymous pages (blog/core/cache/pages.py, Flask-Caching).
    # SimpleCache: per process; FileSystemCache: shared by one server's workers
    # (CACHE_DIR, default instance/cache); RedisCache with CACHE_REDIS_URL: many servers.
    "PAGE_CACHE": True,
    # Per-worker fragments, memos and the settings copy (blog/core/cache/memo.py, site.py).
    # Off only to compare against (tests/coherence/) or to debug.
    "MEMO_CACHE": True,
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 600,
    "CACHE_THRESHOLD": 2000,
    "CACHE_KEY_PREFIX": "newsroom:",
    # Counting readers (blog/audience/): views are buffered per worker and written every
    # AUDIENCE_FLUSH_SECONDS (a SIGKILLed worker loses at most that much), rolled up by
    # `blog worker`, and kept raw AUDIENCE_RAW_DAYS days. AUDIENCE_GEOIP_DB: the path of
    # a local MaxMind country database (needs the `maxminddb` package); empty: no country.
    "AUDIENCE": True,
    "AUDIENCE_FLUSH_SECONDS": 5.0,
    "AUDIENCE_BUFFER_MAX": 100_000,
    "AUDIENCE_ROLLUP_BATCH": 50_000,
    "AUDIENCE_RAW_DAYS": 30,
    "AUDIENCE_GEOIP_DB": "",
    # The weekly "what did well" mail to editors and admins, on Mondays (UTC).
    "AUDIENCE_WEEKLY_MAIL": False,
    # After this many page cache failures in a row a worker skips the cache for
    # CACHE_BREAKER_SECONDS, then probes it again (blog/core/cache/breaker.py).
    "CACHE_BREAKER_FAILURES": 3,
    "CACHE_BREAKER_SECONDS": 30,
    # Pages each worker keeps in memory in front of a shared page cache (Redis, a folder),
    # keyed by the same versions (blog/core/cache/local.py); 0: none.
    "PAGE_CACHE_LOCAL_ENTRIES": 200,
    # Seconds a worker reuses its last versions read for page-cache hits (a round trip
    # to PostgreSQL each); an anonymous page lags the database by at most this on the
    # app servers (blog/core/cache/local.py, RecentVersions). 0: read on every request.
    "PAGE_CACHE_VERSIONS_SECONDS": 0.1,
}
