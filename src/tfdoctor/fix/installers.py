"""Moved to ``tfdoctor.installers`` (rules and fix both use it); kept for code that imports it
from here."""

from tfdoctor.installers import Installer, detect_installer, pin

__all__ = ["Installer", "detect_installer", "pin"]
