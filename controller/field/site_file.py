"""The site file as the field tools read it: controller.site's validated loader, its SiteError (every
problem with file, line, key and fix) turned into the field tools' usage error (exit code 2)."""

from __future__ import annotations

from controller.field.errors import UsageError
from controller.site import Site, SiteError, load_site


def read_site(path: str) -> Site:
    try:
        return load_site(path)
    except SiteError as exc:
        raise UsageError(str(exc), "correct the site file as each line above says, "
                         "or give the right path with --site") from None
