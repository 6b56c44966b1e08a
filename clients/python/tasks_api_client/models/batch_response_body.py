from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.batch_item_result import BatchItemResult





T = TypeVar("T", bound="BatchResponseBody")



@_attrs_define
class BatchResponseBody:
    """ The results, in the order of the operations.

        Example:
            {'results': [{'etag': '"44-1"', 'status': 201, 'task': {'created_at': datetime.datetime(2027, 1, 15, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'description': 'Window seat; leave
                before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 44, 'labels': ['travel'], 'list_id': 3,
                'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at': datetime.datetime(2027, 1, 15, 11, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'etag': '"42-4"', 'status': 200, 'task':
                {'created_at': datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')),
                'deleted_at': None, 'description': 'Window seat; leave before 10:00.', 'done': True, 'due_at':
                datetime.datetime(2027, 1, 29, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels':
                ['travel'], 'list_id': 3, 'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at':
                datetime.datetime(2027, 1, 15, 11, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'status': 204}]}

        Attributes:
            results (list[BatchItemResult]):
     """

    results: list[BatchItemResult]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_item_result import BatchItemResult # noqa: PLC0415
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "results": results,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_item_result import BatchItemResult # noqa: PLC0415
        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in (_results):
            results_item = BatchItemResult.from_dict(results_item_data)



            results.append(results_item)


        batch_response_body = cls(
            results=results,
        )


        batch_response_body.additional_properties = d
        return batch_response_body

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
