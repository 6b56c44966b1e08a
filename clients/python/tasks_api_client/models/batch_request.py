from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.batch_operation_batch_create import BatchOperationBatchCreate
  from ..models.batch_operation_batch_delete import BatchOperationBatchDelete
  from ..models.batch_operation_batch_update import BatchOperationBatchUpdate





T = TypeVar("T", bound="BatchRequest")



@_attrs_define
class BatchRequest:
    """ A batch: 1–100 operations, performed in order, all or nothing.

        Example:
            {'operations': [{'op': 'create', 'task': {'description': 'Window seat; leave before 10:00.', 'done': False,
                'due_at': datetime.datetime(2027, 1, 29, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels':
                ['travel'], 'parent_id': None, 'title': 'Book flights'}}, {'id': 42, 'if_match': '"42-3"', 'op': 'update',
                'task': {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'id': 43, 'op': 'delete'}]}

        Attributes:
            operations (list[BatchOperationBatchCreate | BatchOperationBatchDelete | BatchOperationBatchUpdate]):
     """

    operations: list[BatchOperationBatchCreate | BatchOperationBatchDelete | BatchOperationBatchUpdate]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_operation_batch_create import BatchOperationBatchCreate # noqa: PLC0415
        from ..models.batch_operation_batch_delete import BatchOperationBatchDelete # noqa: PLC0415
        from ..models.batch_operation_batch_update import BatchOperationBatchUpdate # noqa: PLC0415
        operations = []
        for operations_item_data in self.operations:
            operations_item: dict[str, Any]
            if isinstance(operations_item_data, BatchOperationBatchCreate):
                operations_item = operations_item_data.to_dict()
            elif isinstance(operations_item_data, BatchOperationBatchUpdate):
                operations_item = operations_item_data.to_dict()
            else:
                operations_item = operations_item_data.to_dict()

            operations.append(operations_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "operations": operations,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_operation_batch_create import BatchOperationBatchCreate # noqa: PLC0415
        from ..models.batch_operation_batch_delete import BatchOperationBatchDelete # noqa: PLC0415
        from ..models.batch_operation_batch_update import BatchOperationBatchUpdate # noqa: PLC0415
        d = dict(src_dict)
        operations = []
        _operations = d.pop("operations")
        for operations_item_data in (_operations):
            def _parse_operations_item(data: object) -> BatchOperationBatchCreate | BatchOperationBatchDelete | BatchOperationBatchUpdate:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_batch_operation_type_0 = BatchOperationBatchCreate.from_dict(data)



                    return componentsschemas_batch_operation_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_batch_operation_type_1 = BatchOperationBatchUpdate.from_dict(data)



                    return componentsschemas_batch_operation_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_operation_type_2 = BatchOperationBatchDelete.from_dict(data)



                return componentsschemas_batch_operation_type_2

            operations_item = _parse_operations_item(operations_item_data)

            operations.append(operations_item)


        batch_request = cls(
            operations=operations,
        )


        batch_request.additional_properties = d
        return batch_request

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
