"""The field tools' verbs for `campusguard`: diag (technicians), flash and bundle (installers)."""

from __future__ import annotations

from controller.field import diag_cli, flash_cli


def register(subparsers) -> None:
    diag_cli.register(subparsers)
    flash_cli.register(subparsers)
