from enum import StrEnum

class BatchOperationBatchCreateOp(StrEnum):
    CREATE = "create"

    def __str__(self) -> str:
        return str(self.value)
