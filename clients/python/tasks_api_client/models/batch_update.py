from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.task_patch import TaskPatch





T = TypeVar("T", bound="BatchUpdate")



@_attrs_define
class BatchUpdate:
    """ `update`: as `PATCH /api/tasks/{id}`, with `task` the merge patch.

        Attributes:
            id (int): The task's id.
            task (TaskPatch): A JSON Merge Patch (RFC 7396) of a task: members left out stay as they
                are; `null` clears `description` or `due_at`. Read-only and unknown
                members are ignored. Example: {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}.
            if_match (str | Unset): As the `If-Match` header: the operation (and so the batch) fails
                unless the task still has this ETag.
     """

    id: int
    task: TaskPatch
    if_match: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task_patch import TaskPatch # noqa: PLC0415
        id = self.id

        task = self.task.to_dict()

        if_match = self.if_match


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "task": task,
        })
        if if_match is not UNSET:
            field_dict["if_match"] = if_match

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_patch import TaskPatch # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        task = TaskPatch.from_dict(d.pop("task"))




        if_match = d.pop("if_match", UNSET)

        batch_update = cls(
            id=id,
            task=task,
            if_match=if_match,
        )


        batch_update.additional_properties = d
        return batch_update

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
