from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="Task")



@_attrs_define
class Task:
    """ A task.

        Example:
            {'created_at': datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')),
                'deleted_at': None, 'description': 'Window seat; leave before 10:00.', 'done': False, 'due_at':
                datetime.datetime(2027, 1, 29, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels':
                ['travel'], 'list_id': 3, 'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at':
                datetime.datetime(2027, 1, 15, 11, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}

        Attributes:
            id (int): Assigned by the server; never reused.
            list_id (int): The list it is in (a subtask is in its parent's); `POST
                /api/tasks/{id}/move` changes it.
            title (str): What to do: 1–200 characters, stored with surrounding whitespace trimmed.
            description (None | str): Longer notes, or `null`.
            done (bool): Whether the task is finished. A parent's `done` is its own: marking
                it leaves its subtasks as they are.
            due_at (datetime.datetime | None): When the task is due (UTC), or `null`.
            created_at (datetime.datetime): When the task was created (UTC, set by the server).
            updated_at (datetime.datetime): When the task last changed (UTC, set by the server).
            deleted_at (datetime.datetime | None): When the task was moved to the trash, or `null` (only trashed tasks,
                listed with `show_deleted=true`, have one).
            parent_id (int | None): The task this one is a subtask of, or `null` for a top-level task.
                Set on create; `POST /api/tasks/{id}/move` changes it.
            position (str): The task's place among its siblings (the tasks with the same
                parent): an opaque string that sorts in that order, byte by byte.
                `sort=position` lists in this order; `POST /api/tasks/{id}/move`
                changes it.
            labels (list[str]): The task's labels, in lower case and sorted.
     """

    id: int
    list_id: int
    title: str
    description: None | str
    done: bool
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    parent_id: int | None
    position: str
    labels: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        list_id = self.list_id

        title = self.title

        description: None | str
        description = self.description

        done = self.done

        due_at: None | str
        if isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        deleted_at: None | str
        if isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at

        parent_id: int | None
        parent_id = self.parent_id

        position = self.position

        labels = self.labels




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "list_id": list_id,
            "title": title,
            "description": description,
            "done": done,
            "due_at": due_at,
            "created_at": created_at,
            "updated_at": updated_at,
            "deleted_at": deleted_at,
            "parent_id": parent_id,
            "position": position,
            "labels": labels,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        list_id = d.pop("list_id")

        title = d.pop("title")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))


        done = d.pop("done")

        def _parse_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)



                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        due_at = _parse_due_at(d.pop("due_at"))


        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        def _parse_deleted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deleted_at_type_0 = datetime.datetime.fromisoformat(data)



                return deleted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deleted_at = _parse_deleted_at(d.pop("deleted_at"))


        def _parse_parent_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        parent_id = _parse_parent_id(d.pop("parent_id"))


        position = d.pop("position")

        labels = cast(list[str], d.pop("labels"))


        task = cls(
            id=id,
            list_id=list_id,
            title=title,
            description=description,
            done=done,
            due_at=due_at,
            created_at=created_at,
            updated_at=updated_at,
            deleted_at=deleted_at,
            parent_id=parent_id,
            position=position,
            labels=labels,
        )


        task.additional_properties = d
        return task

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
