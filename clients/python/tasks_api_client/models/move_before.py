from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MoveBefore")



@_attrs_define
class MoveBefore:
    """ Right before a sibling.

        Example:
            {'after_id': None, 'before_id': 43, 'parent_id': 7}

        Attributes:
            before_id (int): Place the task right before this sibling (a task under the new
                parent).
            parent_id (int | None | Unset): The new parent: a task id, or `null` for the top level; left out:
                the task's parent.
            list_id (int | Unset): Another list to move the task (and its subtasks) to.
            after_id (None | Unset):  Default: None.
     """

    before_id: int
    parent_id: int | None | Unset = UNSET
    list_id: int | Unset = UNSET
    after_id: None | Unset = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        before_id = self.before_id

        parent_id: int | None | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        else:
            parent_id = self.parent_id

        list_id = self.list_id

        after_id = self.after_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "before_id": before_id,
        })
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if list_id is not UNSET:
            field_dict["list_id"] = list_id
        if after_id is not UNSET:
            field_dict["after_id"] = after_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        before_id = d.pop("before_id")

        def _parse_parent_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))


        list_id = d.pop("list_id", UNSET)

        after_id = d.pop("after_id", UNSET)

        move_before = cls(
            before_id=before_id,
            parent_id=parent_id,
            list_id=list_id,
            after_id=after_id,
        )


        move_before.additional_properties = d
        return move_before

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
