from recouvre.imports.models.batch import ImportBatch

__all__ = ["ImportBatch"]
