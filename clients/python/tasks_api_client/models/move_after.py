from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MoveAfter")



@_attrs_define
class MoveAfter:
    """ Right after a sibling.

        Example:
            {'after_id': 43, 'before_id': None, 'parent_id': 7}

        Attributes:
            after_id (int): Place the task right after this sibling (a task under the new
                parent).
            parent_id (int | None | Unset): The new parent: a task id, or `null` for the top level; left out:
                the task's parent.
            list_id (int | Unset): Another list to move the task (and its subtasks) to.
            before_id (None | Unset):  Default: None.
     """

    after_id: int
    parent_id: int | None | Unset = UNSET
    list_id: int | Unset = UNSET
    before_id: None | Unset = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        after_id = self.after_id

        parent_id: int | None | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        else:
            parent_id = self.parent_id

        list_id = self.list_id

        before_id = self.before_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "after_id": after_id,
        })
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if list_id is not UNSET:
            field_dict["list_id"] = list_id
        if before_id is not UNSET:
            field_dict["before_id"] = before_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        after_id = d.pop("after_id")

        def _parse_parent_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))


        list_id = d.pop("list_id", UNSET)

        before_id = d.pop("before_id", UNSET)

        move_after = cls(
            after_id=after_id,
            parent_id=parent_id,
            list_id=list_id,
            before_id=before_id,
        )


        move_after.additional_properties = d
        return move_after

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
