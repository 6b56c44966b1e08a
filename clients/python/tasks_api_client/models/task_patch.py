from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="TaskPatch")



@_attrs_define
class TaskPatch:
    """ A JSON Merge Patch (RFC 7396) of a task: members left out stay as they
    are; `null` clears `description` or `due_at`. Read-only and unknown
    members are ignored.

        Example:
            {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}

        Attributes:
            title (str | Unset): A new title (not `null`): 1–200 characters with at least one that is
                not whitespace; surrounding whitespace is trimmed.
            description (None | str | Unset): New notes (at most 10,000 characters), or `null` to clear them.
            done (bool | Unset): Whether the task is finished (not `null`).
            due_at (datetime.datetime | None | Unset): A new due date (RFC 3339 with an offset, in the years 0000–9999 in
                UTC), or `null` to clear it.
            labels (list[str] | None | Unset): The new set of labels, replacing the old (`null` or `[]`: none).
            parent_id (int | None | Unset): If sent, it must be the task's parent (`null`: top level); moves
                are `POST /api/tasks/{id}/move`.
            list_id (int | Unset): If sent, it must be the task's list; moves between lists are
                `POST /api/tasks/{id}/move`.
     """

    title: str | Unset = UNSET
    description: None | str | Unset = UNSET
    done: bool | Unset = UNSET
    due_at: datetime.datetime | None | Unset = UNSET
    labels: list[str] | None | Unset = UNSET
    parent_id: int | None | Unset = UNSET
    list_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        title = self.title

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        done = self.done

        due_at: None | str | Unset
        if isinstance(self.due_at, Unset):
            due_at = UNSET
        elif isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        labels: list[str] | None | Unset
        if isinstance(self.labels, Unset):
            labels = UNSET
        elif isinstance(self.labels, list):
            labels = self.labels


        else:
            labels = self.labels

        parent_id: int | None | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        else:
            parent_id = self.parent_id

        list_id = self.list_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if done is not UNSET:
            field_dict["done"] = done
        if due_at is not UNSET:
            field_dict["due_at"] = due_at
        if labels is not UNSET:
            field_dict["labels"] = labels
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if list_id is not UNSET:
            field_dict["list_id"] = list_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        done = d.pop("done", UNSET)

        def _parse_due_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)



                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        due_at = _parse_due_at(d.pop("due_at", UNSET))


        def _parse_labels(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                labels_type_0 = cast(list[str], data)

                return labels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        labels = _parse_labels(d.pop("labels", UNSET))


        def _parse_parent_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))


        list_id = d.pop("list_id", UNSET)

        task_patch = cls(
            title=title,
            description=description,
            done=done,
            due_at=due_at,
            labels=labels,
            parent_id=parent_id,
            list_id=list_id,
        )


        task_patch.additional_properties = d
        return task_patch

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
