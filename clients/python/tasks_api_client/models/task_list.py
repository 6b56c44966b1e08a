from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.role import Role
from typing import cast
import datetime






T = TypeVar("T", bound="TaskList")



@_attrs_define
class TaskList:
    """ A list of tasks, as the caller sees it: `role` is the caller's role on
    it.

        Example:
            {'created_at': datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')),
                'deleted_at': None, 'id': 3, 'inbox': False, 'role': 'owner', 'title': 'Trip to Lisbon', 'updated_at':
                datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}

        Attributes:
            id (int): Assigned by the server; never reused.
            title (str): 1–200 characters, as a task's title.
            role (Role): A member's role on a list: `owner` (everything, including members and
                deleting the list), `editor` (read and write the list's tasks),
                `viewer` (read only).
            inbox (bool): Whether it is the caller's inbox: the list tasks go to when no
                `list_id` is given; it cannot be shared or deleted.
            created_at (datetime.datetime):
            updated_at (datetime.datetime): When the list itself (its title, members) last changed.
            deleted_at (datetime.datetime | None): When it was moved to the trash, or `null`.
     """

    id: int
    title: str
    role: Role
    inbox: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        title = self.title

        role = self.role.value

        inbox = self.inbox

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        deleted_at: None | str
        if isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "title": title,
            "role": role,
            "inbox": inbox,
            "created_at": created_at,
            "updated_at": updated_at,
            "deleted_at": deleted_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        title = d.pop("title")

        role = Role(d.pop("role"))




        inbox = d.pop("inbox")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        def _parse_deleted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deleted_at_type_0 = datetime.datetime.fromisoformat(data)



                return deleted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deleted_at = _parse_deleted_at(d.pop("deleted_at"))


        task_list = cls(
            id=id,
            title=title,
            role=role,
            inbox=inbox,
            created_at=created_at,
            updated_at=updated_at,
            deleted_at=deleted_at,
        )


        task_list.additional_properties = d
        return task_list

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
