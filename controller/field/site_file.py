"""The site file as the field tools read it: controller.site's validated loader (THE validator:
`site check`, `run` and `sim up` use it too), its SiteError (every problem with file, line, key and
fix) turned into the field tools' SiteInvalid (exit 1, as everywhere in the CLI)."""

from __future__ import annotations

from controller.field.errors import SiteInvalid
from controller.site import Site, SiteError, load_site


def read_site(path: str) -> Site:
    try:
        return load_site(path)
    except SiteError as exc:
        raise SiteInvalid(str(exc), "correct the site file as each line above says "
                          "(campusguard site check %s), or give the right path with --site"
                          % path) from None
