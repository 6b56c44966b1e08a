from enum import StrEnum

class Scope(StrEnum):
    ADMIN = "admin"
    KEYSMANAGE = "keys:manage"
    TASKSREAD = "tasks:read"
    TASKSWRITE = "tasks:write"

    def __str__(self) -> str:
        return str(self.value)
