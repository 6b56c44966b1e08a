from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.account import Account





T = TypeVar("T", bound="OwnerList")



@_attrs_define
class OwnerList:
    """ Every owner.

        Example:
            {'owners': [{'created_at': datetime.datetime(2027, 1, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(0),
                'Z')), 'disabled_at': None, 'id': 3, 'name': 'ali'}]}

        Attributes:
            owners (list[Account]): Oldest first.
     """

    owners: list[Account]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.account import Account # noqa: PLC0415
        owners = []
        for owners_item_data in self.owners:
            owners_item = owners_item_data.to_dict()
            owners.append(owners_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "owners": owners,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account import Account # noqa: PLC0415
        d = dict(src_dict)
        owners = []
        _owners = d.pop("owners")
        for owners_item_data in (_owners):
            owners_item = Account.from_dict(owners_item_data)



            owners.append(owners_item)


        owner_list = cls(
            owners=owners,
        )


        owner_list.additional_properties = d
        return owner_list

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
