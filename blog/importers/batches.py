"""The write loop of the WordPress, Ghost and Substack imports.

An importer prepares its items (`PreparedItem`: bodies converted and rendered, images
processed) with no transaction open; `Batches.write` then writes one batch in one
transaction through the WordPress `Store`, keyed by the source's own ids in
`ImportRecord`, so a second run changes nothing. A dry run writes every batch in one
transaction, rolled back at the end, and writes no files. An importer that copies
audio, video or PDF files sets `media` (blog/importers/media.py).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from blog.core.audit import record
from blog.core.database import begin_write
from blog.core.uploads import remove_files
from blog.extensions import db
from blog.importers.media import MediaStore
from blog.importers.wordpress.images import ImageStore
from blog.importers.wordpress.report import Report
from blog.importers.wordpress.store import PreparedItem, Store
from blog.models import ImportRecord

BATCH = 100


def known_files(site: str) -> dict[str, str]:
    """Image path -> stored filename, for the images earlier runs of `site` copied."""
    rows = db.session.scalars(
        sa.select(ImportRecord).where(ImportRecord.source == site, ImportRecord.kind == "file")
    )
    return {r.source_id: r.local_ref for r in rows}


class Batches:
    def __init__(
        self,
        store: Store,
        images: ImageStore,
        report: Report,
        dry_run: bool,
        progress: Callable[[int], None] | None = None,
    ):
        self.store, self.images, self.report = store, images, report
        self.dry_run = dry_run
        self.progress = progress or (lambda n: None)
        self.began = False
        self.before: list[Callable[[], None]] = []  # run in the next batch's transaction
        # Run after each batch's items, in its transaction (WordPress recounts comments).
        self.after_items: Callable[[list[PreparedItem]], None] | None = None
        self.media: MediaStore | None = None

    def write(self, prepared: list[PreparedItem], count: int | None = None) -> None:
        new_images = self.images.take_pending()
        new_media = self.media.take_pending() if self.media else []
        if not self.began or not self.dry_run:
            begin_write()
            self.began = True
        try:
            for step in self.before:
                step()
            self.before = []
            self.store.images(new_images)
            self.store.media(new_media)
            for kind in ("post", "page"):
                records = self.store.records(kind, [p.wp_id for p in prepared if p.kind == kind])
                for item in (p for p in prepared if p.kind == kind):
                    self.write_item(item, records.get(item.wp_id))
            if self.after_items is not None:
                self.after_items(prepared)
            if self.dry_run:
                db.session.flush()
                db.session.expunge_all()
            else:
                db.session.commit()
        except Exception:
            db.session.rollback()
            remove_files(
                *(n for i in new_images for n in (i.stored.filename, i.stored.thumb_filename)),
                *(m.stored.filename for m in new_media if m.copied),
            )
            raise
        self.progress(len(prepared) if count is None else count)

    def write_item(self, item: PreparedItem, record: ImportRecord | None) -> None:
        kind = "posts" if item.kind == "post" else "pages"
        try:
            with db.session.begin_nested():
                self.store.item(item, record)
        except (LookupError, ValueError, sa.exc.SQLAlchemyError) as error:
            # What the savepoint undid may be in the maps: look it up again.
            self.store.users.clear(), self.store.sections.clear(), self.store.tags.clear()
            self.store.fallback_section = None
            self.report.add(kind, "failed", f"{item.wp_id}: {str(error).splitlines()[0][:150]}")

    def finish(self, action: str, actor_id: int | None) -> None:
        """Roll a dry run back; else write the audit entry (`action`)."""
        if self.dry_run:
            if not self.began:
                return
            db.session.rollback()
            return
        begin_write()
        record(action, detail=self.report.summary()[:2000], actor_id=actor_id)
        db.session.commit()
