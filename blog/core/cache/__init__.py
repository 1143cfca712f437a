"""Every cache of the site, and why none of them can serve a stale page.

What is cached, where, keyed by what:
- whole anonymous pages (`pages.py`): status, headers and body, in Flask-Caching's
  backend (SimpleCache per worker, FileSystemCache per server, Redis for several),
  keyed by scheme, host, path, query and both versions; answered by a WSGI
  middleware before Flask runs, for requests without a session or remember cookie;
- the public/private header decision (`pages.set_cache_headers`): anonymous 200 pages
  are `Cache-Control: public` with an ETag, everything else `private, no-store`;
  `max-age` never runs past the next scheduled publication;
- rendered fragments and plain-data memos (`memo.py`), per worker: article pages,
  list pages, comment sections, totals, a slug's facts; bounded in size;
- the site's settings, navigation and footer pages (`site.py`), per worker.

What expires them: two numbers in the `site_state` row (`versions.py`), `version`
(content and settings) and `comments_version` (what readers see of comments). Every
cache above is keyed by them, so moving them expires everything they cover in every
worker and on every server at once, whatever the backend; old entries are never
served again and age out. They move for two reasons only:
- a transaction wrote something a reader can see: `invalidation.py` reads what each
  transaction writes (session events, bulk statements) against its table `EXPIRES` and
  moves the versions in the same transaction, just before it commits;
- time: `site_state.next_publication_at` is the next scheduled article's time; the
  first request after it moves `version` (one guarded UPDATE), so a scheduled story is
  on every cached page within a request of its time.
MEMO_CACHE=False and PAGE_CACHE=False turn every cache off (the reference app of the
coherence test, tests/coherence/).
"""
