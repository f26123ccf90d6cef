from recouvre.arrangements.models.promise import Promise

__all__ = ["Promise"]
