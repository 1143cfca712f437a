"""The Substack importer: `blog import-substack EXPORT.zip`."""
