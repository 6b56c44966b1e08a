from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.batch_operation_batch_create_op import BatchOperationBatchCreateOp
from typing import cast

if TYPE_CHECKING:
  from ..models.task_input import TaskInput





T = TypeVar("T", bound="BatchOperationBatchCreate")



@_attrs_define
class BatchOperationBatchCreate:
    """ One operation of a batch, by its `op`: `create`, `update` or `delete`.

        Attributes:
            task (TaskInput): The fields a client sets when it creates or replaces a task. Read-only
                and unknown members are ignored. Example: {'description': 'Window seat; leave before 10:00.', 'done': False,
                'due_at': datetime.datetime(2027, 1, 29, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels':
                ['travel'], 'parent_id': None, 'title': 'Book flights'}.
            op (BatchOperationBatchCreateOp):  Example: create.
     """

    task: TaskInput
    op: BatchOperationBatchCreateOp
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.task_input import TaskInput # noqa: PLC0415
        task = self.task.to_dict()

        op = self.op.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "task": task,
            "op": op,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_input import TaskInput # noqa: PLC0415
        d = dict(src_dict)
        task = TaskInput.from_dict(d.pop("task"))




        op = BatchOperationBatchCreateOp(d.pop("op"))




        batch_operation_batch_create = cls(
            task=task,
            op=op,
        )


        batch_operation_batch_create.additional_properties = d
        return batch_operation_batch_create

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
