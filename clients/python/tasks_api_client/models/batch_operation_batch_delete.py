from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.batch_operation_batch_delete_op import BatchOperationBatchDeleteOp
from ..types import UNSET, Unset






T = TypeVar("T", bound="BatchOperationBatchDelete")



@_attrs_define
class BatchOperationBatchDelete:
    """ One operation of a batch, by its `op`: `create`, `update` or `delete`.

        Attributes:
            id (int): The task's id.
            op (BatchOperationBatchDeleteOp):  Example: delete.
            if_match (str | Unset): As the `If-Match` header: the operation (and so the batch) fails
                unless the task still has this ETag.
     """

    id: int
    op: BatchOperationBatchDeleteOp
    if_match: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        op = self.op.value

        if_match = self.if_match


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "op": op,
        })
        if if_match is not UNSET:
            field_dict["if_match"] = if_match

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        op = BatchOperationBatchDeleteOp(d.pop("op"))




        if_match = d.pop("if_match", UNSET)

        batch_operation_batch_delete = cls(
            id=id,
            op=op,
            if_match=if_match,
        )


        batch_operation_batch_delete.additional_properties = d
        return batch_operation_batch_delete

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
