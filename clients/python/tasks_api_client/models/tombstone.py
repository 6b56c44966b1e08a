from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="Tombstone")



@_attrs_define
class Tombstone:
    """ A task that was deleted from a list (moved to the trash, removed for
    good, or moved to another list): drop it if the copy you have is in
    that list (a task moved comes again as a change in its new list, which
    may come first).

        Example:
            {'deleted': True, 'deleted_at': datetime.datetime(2027, 1, 15, 12, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'etag': '"43-2"', 'id': 43, 'list_id': 3}

        Attributes:
            id (int): The task's id.
            list_id (int): The list it left.
            deleted (bool): `true`: the task was deleted.
            deleted_at (datetime.datetime): When the task was deleted.
            etag (str | Unset): The task's strong ETag while it is in the trash (for a conditional
                `POST /api/tasks/{id}/undelete`); left out once it is removed for
                good.
     """

    id: int
    list_id: int
    deleted: bool
    deleted_at: datetime.datetime
    etag: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        list_id = self.list_id

        deleted = self.deleted

        deleted_at = self.deleted_at.isoformat()

        etag = self.etag


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "list_id": list_id,
            "deleted": deleted,
            "deleted_at": deleted_at,
        })
        if etag is not UNSET:
            field_dict["etag"] = etag

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        list_id = d.pop("list_id")

        deleted = d.pop("deleted")

        deleted_at = datetime.datetime.fromisoformat(d.pop("deleted_at"))




        etag = d.pop("etag", UNSET)

        tombstone = cls(
            id=id,
            list_id=list_id,
            deleted=deleted,
            deleted_at=deleted_at,
            etag=etag,
        )


        tombstone.additional_properties = d
        return tombstone

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
