"""Moving a site here from elsewhere: one package per source (wordpress/)."""
