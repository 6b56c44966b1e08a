from enum import StrEnum

class CredentialKind(StrEnum):
    API_KEY = "api_key"
    NONE = "none"
    TOKEN = "token"

    def __str__(self) -> str:
        return str(self.value)
