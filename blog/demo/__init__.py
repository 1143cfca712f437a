"""Demo content for a new site (`loader.load_demo`)."""
