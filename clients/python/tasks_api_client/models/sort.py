from enum import StrEnum

class Sort(StrEnum):
    CREATED_AT = "created_at"
    DUE_AT = "due_at"
    ID = "id"
    POSITION = "position"
    TITLE = "title"
    UPDATED_AT = "updated_at"
    VALUE_1 = "-id"
    VALUE_11 = "-position"
    VALUE_3 = "-created_at"
    VALUE_5 = "-updated_at"
    VALUE_7 = "-due_at"
    VALUE_9 = "-title"

    def __str__(self) -> str:
        return str(self.value)
