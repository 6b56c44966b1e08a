from enum import StrEnum

class BatchOperationBatchDeleteOp(StrEnum):
    DELETE = "delete"

    def __str__(self) -> str:
        return str(self.value)
