"""Where materials' files are kept: settings.MATERIALS_ROOT, outside anything served by URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class MaterialsStorage(FileSystemStorage):
    """A FileSystemStorage at settings.MATERIALS_ROOT (read each time, so a change of setting
    applies), with no URL at all: asking for one raises ValueError."""

    @property
    def base_location(self):
        return str(settings.MATERIALS_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None
