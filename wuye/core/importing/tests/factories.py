import itertools

from django.core.files.base import ContentFile

from wuye.core.importing.models import ImportBatch
from wuye.core.testing.factories import register

_n = itertools.count(1)


@register(ImportBatch)
def import_batch_in(project=None, **kwargs):
    n = next(_n)
    kwargs.setdefault("kind", "units")
    kwargs.setdefault("original_name", f"房屋{n}.xlsx")
    kwargs.setdefault("headers", ["楼栋", "房号", "建筑面积"])
    kwargs.setdefault("mapping", {"0": "building", "1": "room", "2": "building_area"})
    batch = ImportBatch(project=project, **kwargs)
    batch.file.save(f"test-{n}.csv", ContentFile("楼栋,房号,建筑面积\n1,101,89.5\n".encode()), save=False)
    batch.save()
    return batch
