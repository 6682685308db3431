import os
import time

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from mutualisation.tasks import apercus_purger


@pytest.fixture
def stockage(tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": tmp_path}}}
    return tmp_path


def test_les_apercus_abandonnes_sont_purges_par_beat(stockage):
    ancien = default_storage.save("imports/apercus/ancien", ContentFile(b"siren;x"))
    recent = default_storage.save("imports/apercus/recent", ContentFile(b"siren;y"))
    il_y_a_deux_jours = time.time() - 48 * 3600
    os.utime(stockage / ancien, (il_y_a_deux_jours, il_y_a_deux_jours))
    assert apercus_purger() == 1
    assert not default_storage.exists(ancien) and default_storage.exists(recent)
    assert "purger-les-apercus-d-import" in settings.CELERY_BEAT_SCHEDULE
