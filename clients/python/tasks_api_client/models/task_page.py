from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.task import Task





T = TypeVar("T", bound="TaskPage")



@_attrs_define
class TaskPage:
    """ One page of tasks.

        Example:
            {'items': [{'created_at': datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0),
                'Z')), 'deleted_at': None, 'description': 'Window seat; leave before 10:00.', 'done': False, 'due_at':
                datetime.datetime(2027, 1, 29, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels':
                ['travel'], 'list_id': 3, 'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at':
                datetime.datetime(2027, 1, 15, 11, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}], 'next_cursor':
                'eyJrIjoiYTMiLCJpZCI6NDJ9', 'per_page': 20}

        Attributes:
            items (list[Task]): The tasks on this page, in the requested order.
            per_page (int): The page size used.
            next_cursor (None | str): Pass as `cursor` (with the same `sort` and filters) for the tasks
                after this page; `null` on the last page. Opaque.
            page (int | Unset): This page's number (page mode only).
            total (int | Unset): How many tasks match the filters on all pages (page mode only).
            total_pages (int | Unset): How many pages there are at this page size, 0 when nothing matches
                (page mode only).
     """

    items: list[Task]
    per_page: int
    next_cursor: None | str
    page: int | Unset = UNSET
    total: int | Unset = UNSET
    total_pages: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task import Task # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        per_page = self.per_page

        next_cursor: None | str
        next_cursor = self.next_cursor

        page = self.page

        total = self.total

        total_pages = self.total_pages


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
            "per_page": per_page,
            "next_cursor": next_cursor,
        })
        if page is not UNSET:
            field_dict["page"] = page
        if total is not UNSET:
            field_dict["total"] = total
        if total_pages is not UNSET:
            field_dict["total_pages"] = total_pages

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task import Task # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = Task.from_dict(items_item_data)



            items.append(items_item)


        per_page = d.pop("per_page")

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))


        page = d.pop("page", UNSET)

        total = d.pop("total", UNSET)

        total_pages = d.pop("total_pages", UNSET)

        task_page = cls(
            items=items,
            per_page=per_page,
            next_cursor=next_cursor,
            page=page,
            total=total,
            total_pages=total_pages,
        )


        task_page.additional_properties = d
        return task_page

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
