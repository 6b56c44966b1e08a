from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="TaskInput")



@_attrs_define
class TaskInput:
    """ The fields a client sets when it creates or replaces a task. Read-only
    and unknown members are ignored.

        Example:
            {'description': 'Window seat; leave before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9,
                0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id': None, 'title':
                'Book flights'}

        Attributes:
            title (str): What to do: 1–200 characters (Unicode code points, as sent), with at
                least one that is not whitespace; surrounding whitespace is trimmed.
            description (None | str | Unset): Longer notes: at most 10,000 characters, or `null` (the default).
            done (bool | Unset): Whether the task is finished (default `false`). Default: False.
            due_at (datetime.datetime | None | Unset): When the task is due: an RFC 3339 date-time with an offset, or `null`
                (the default). Returned in UTC, so it must fall in the years
                0000–9999 in UTC (`9999-12-31T23:59:59-01:00` does not).
            labels (list[str] | Unset): Up to 20 labels, each 1–32 characters as sent and in lower case (no
                control characters, Unicode `Cc`, or commas), trimmed and matched
                without regard to case: stored in lower case, duplicates merged.
                Default: none.
            list_id (int | Unset): On create: the list the task goes to (one the caller may edit), or
                the caller's inbox when left out; a subtask goes to its parent's
                list. On replace: if sent, it must be the task's list (moves
                between lists are `POST /api/tasks/{id}/move`).
            parent_id (int | None | Unset): On create: the task to make this one a subtask of (the new task
                comes last among its subtasks), or `null` for a top-level task (the
                default). It must be the owner's task, not in the trash, at most 4
                levels deep, with fewer than 1,000 subtasks. On replace: if sent, it
                must be the task's parent (moves are `POST /api/tasks/{id}/move`).
     """

    title: str
    description: None | str | Unset = UNSET
    done: bool | Unset = False
    due_at: datetime.datetime | None | Unset = UNSET
    labels: list[str] | Unset = UNSET
    list_id: int | Unset = UNSET
    parent_id: int | None | Unset = UNSET
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

        labels: list[str] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels



        list_id = self.list_id

        parent_id: int | None | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        else:
            parent_id = self.parent_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "title": title,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if done is not UNSET:
            field_dict["done"] = done
        if due_at is not UNSET:
            field_dict["due_at"] = due_at
        if labels is not UNSET:
            field_dict["labels"] = labels
        if list_id is not UNSET:
            field_dict["list_id"] = list_id
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

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


        labels = cast(list[str], d.pop("labels", UNSET))


        list_id = d.pop("list_id", UNSET)

        def _parse_parent_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))


        task_input = cls(
            title=title,
            description=description,
            done=done,
            due_at=due_at,
            labels=labels,
            list_id=list_id,
            parent_id=parent_id,
        )


        task_input.additional_properties = d
        return task_input

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
