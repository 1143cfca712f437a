"""pytest plugin for bench/expires_mutation.py: narrows one EXPIRES row to NONE."""

import dataclasses
import os


def pytest_configure(config) -> None:
    from blog.core.cache import invalidation

    table, _, column = os.environ["BLOG_EXPIRES_MUTANT"].partition(".")
    rule = invalidation.EXPIRES[table]
    if column == "<insert>":
        rule = dataclasses.replace(rule, insert=invalidation.NONE)
    elif column == "<delete>":
        rule = dataclasses.replace(rule, delete=invalidation.NONE)
    else:
        rule = dataclasses.replace(rule, update=rule.update | {column: invalidation.NONE})
    invalidation.EXPIRES[table] = rule
    invalidation.delete_scope.cache_clear()
