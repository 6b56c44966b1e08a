from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.role import Role
from typing import cast
import datetime






T = TypeVar("T", bound="Member")



@_attrs_define
class Member:
    """ A member of a list.

        Example:
            {'added_at': datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')),
                'name': 'ana', 'owner_id': 2, 'role': 'editor'}

        Attributes:
            owner_id (int): The member's owner id.
            name (str): The member's owner name.
            role (Role): A member's role on a list: `owner` (everything, including members and
                deleting the list), `editor` (read and write the list's tasks),
                `viewer` (read only).
            added_at (datetime.datetime):
     """

    owner_id: int
    name: str
    role: Role
    added_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        owner_id = self.owner_id

        name = self.name

        role = self.role.value

        added_at = self.added_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "owner_id": owner_id,
            "name": name,
            "role": role,
            "added_at": added_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        owner_id = d.pop("owner_id")

        name = d.pop("name")

        role = Role(d.pop("role"))




        added_at = datetime.datetime.fromisoformat(d.pop("added_at"))




        member = cls(
            owner_id=owner_id,
            name=name,
            role=role,
            added_at=added_at,
        )


        member.additional_properties = d
        return member

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
