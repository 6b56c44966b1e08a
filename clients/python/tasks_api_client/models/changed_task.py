from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.task import Task





T = TypeVar("T", bound="ChangedTask")



@_attrs_define
class ChangedTask:
    """ A task that was created or changed: its current state.

        Example:
            {'deleted': False, 'etag': '"42-3"', 'id': 42, 'task': {'created_at': datetime.datetime(2027, 1, 15, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'description': 'Window seat; leave
                before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels': ['travel'], 'list_id': 3,
                'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at': datetime.datetime(2027, 1, 15, 11, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}

        Attributes:
            id (int): The task's id.
            deleted (bool): `false`: `task` is the task's current state.
            etag (str): The task's strong ETag, as `GET` sends it, for a later `If-Match`.
            task (Task): A task. Example: {'created_at': datetime.datetime(2027, 1, 15, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'description': 'Window seat; leave
                before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels': ['travel'], 'list_id': 3,
                'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at': datetime.datetime(2027, 1, 15, 11, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}.
     """

    id: int
    deleted: bool
    etag: str
    task: Task
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task import Task # noqa: PLC0415
        id = self.id

        deleted = self.deleted

        etag = self.etag

        task = self.task.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "deleted": deleted,
            "etag": etag,
            "task": task,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task import Task # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        deleted = d.pop("deleted")

        etag = d.pop("etag")

        task = Task.from_dict(d.pop("task"))




        changed_task = cls(
            id=id,
            deleted=deleted,
            etag=etag,
            task=task,
        )


        changed_task.additional_properties = d
        return changed_task

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
