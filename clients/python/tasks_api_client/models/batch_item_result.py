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





T = TypeVar("T", bound="BatchItemResult")



@_attrs_define
class BatchItemResult:
    """ What one operation did: `status` as the single request would have
    answered (201 created, 200 updated, 204 deleted) and, but for a delete,
    the `task` as it now is and its `etag`.

        Attributes:
            status (int):
            task (Task | Unset): A task. Example: {'created_at': datetime.datetime(2027, 1, 15, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'description': 'Window seat; leave
                before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels': ['travel'], 'list_id': 3,
                'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at': datetime.datetime(2027, 1, 15, 11, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}.
            etag (str | Unset): The task's strong ETag (not for a delete).
     """

    status: int
    task: Task | Unset = UNSET
    etag: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task import Task # noqa: PLC0415
        status = self.status

        task: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task, Unset):
            task = self.task.to_dict()

        etag = self.etag


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "status": status,
        })
        if task is not UNSET:
            field_dict["task"] = task
        if etag is not UNSET:
            field_dict["etag"] = etag

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task import Task # noqa: PLC0415
        d = dict(src_dict)
        status = d.pop("status")

        _task = d.pop("task", UNSET)
        task: Task | Unset
        if isinstance(_task,  Unset):
            task = UNSET
        else:
            task = Task.from_dict(_task)




        etag = d.pop("etag", UNSET)

        batch_item_result = cls(
            status=status,
            task=task,
            etag=etag,
        )


        batch_item_result.additional_properties = d
        return batch_item_result

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
