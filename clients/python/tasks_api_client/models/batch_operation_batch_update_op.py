from enum import StrEnum

class BatchOperationBatchUpdateOp(StrEnum):
    UPDATE = "update"

    def __str__(self) -> str:
        return str(self.value)
