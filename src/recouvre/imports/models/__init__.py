from recouvre.imports.models.batch import ImportBatch
from recouvre.imports.models.mapping import ColumnMapping

__all__ = ["ColumnMapping", "ImportBatch"]
