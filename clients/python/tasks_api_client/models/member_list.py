from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.member import Member





T = TypeVar("T", bound="MemberList")



@_attrs_define
class MemberList:
    """ The members of a list.

        Example:
            {'members': [{'added_at': datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(0),
                'Z')), 'name': 'ana', 'owner_id': 2, 'role': 'editor'}]}

        Attributes:
            members (list[Member]): By owner id.
     """

    members: list[Member]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.member import Member # noqa: PLC0415
        members = []
        for members_item_data in self.members:
            members_item = members_item_data.to_dict()
            members.append(members_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "members": members,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.member import Member # noqa: PLC0415
        d = dict(src_dict)
        members = []
        _members = d.pop("members")
        for members_item_data in (_members):
            members_item = Member.from_dict(members_item_data)



            members.append(members_item)


        member_list = cls(
            members=members,
        )


        member_list.additional_properties = d
        return member_list

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
