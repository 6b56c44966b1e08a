from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.task_list import TaskList





T = TypeVar("T", bound="ChangedList")



@_attrs_define
class ChangedList:
    """ A list that was made or changed, or that you gained access to.

        Example:
            {'deleted': False, 'id': 3, 'list': {'created_at': datetime.datetime(2027, 1, 15, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'id': 3, 'inbox': False, 'role':
                'owner', 'title': 'Trip to Lisbon', 'updated_at': datetime.datetime(2027, 1, 15, 10, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}

        Attributes:
            id (int): The list's id.
            deleted (bool): `false`: `list` is the list as it now is.
            list_ (TaskList): A list of tasks, as the caller sees it: `role` is the caller's role on
                it. Example: {'created_at': datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0),
                'Z')), 'deleted_at': None, 'id': 3, 'inbox': False, 'role': 'owner', 'title': 'Trip to Lisbon', 'updated_at':
                datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}.
     """

    id: int
    deleted: bool
    list_: TaskList
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task_list import TaskList # noqa: PLC0415
        id = self.id

        deleted = self.deleted

        list_ = self.list_.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "deleted": deleted,
            "list": list_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_list import TaskList # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        deleted = d.pop("deleted")

        list_ = TaskList.from_dict(d.pop("list"))




        changed_list = cls(
            id=id,
            deleted=deleted,
            list_=list_,
        )


        changed_list.additional_properties = d
        return changed_list

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
