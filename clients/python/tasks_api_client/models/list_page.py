from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.task_list import TaskList





T = TypeVar("T", bound="ListPage")



@_attrs_define
class ListPage:
    """ A page of lists.

        Example:
            {'items': [{'created_at': datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0),
                'Z')), 'deleted_at': None, 'id': 3, 'inbox': False, 'role': 'owner', 'title': 'Trip to Lisbon', 'updated_at':
                datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}], 'next_cursor':
                None}

        Attributes:
            items (list[TaskList]): In id order.
            next_cursor (None | str): Send as `cursor` for the next page; `null` on the last.
     """

    items: list[TaskList]
    next_cursor: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task_list import TaskList # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        next_cursor: None | str
        next_cursor = self.next_cursor


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
            "next_cursor": next_cursor,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_list import TaskList # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = TaskList.from_dict(items_item_data)



            items.append(items_item)


        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))


        list_page = cls(
            items=items,
            next_cursor=next_cursor,
        )


        list_page.additional_properties = d
        return list_page

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
