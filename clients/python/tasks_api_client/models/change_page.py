from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.changed_list import ChangedList
  from ..models.changed_task import ChangedTask
  from ..models.list_tombstone import ListTombstone
  from ..models.tombstone import Tombstone





T = TypeVar("T", bound="ChangePage")



@_attrs_define
class ChangePage:
    """ One page of the change feed.

        Example:
            {'changes': [{'deleted': False, 'etag': '"42-3"', 'id': 42, 'task': {'created_at': datetime.datetime(2027, 1,
                15, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'description': 'Window
                seat; leave before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'id': 42, 'labels': ['travel'], 'list_id': 3,
                'parent_id': 7, 'position': 'a3', 'title': 'Book flights', 'updated_at': datetime.datetime(2027, 1, 15, 11, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'deleted': True, 'deleted_at': datetime.datetime(2027,
                1, 15, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'etag': '"43-2"', 'id': 43, 'list_id': 3}],
                'has_more': False, 'lists': [{'deleted': False, 'id': 3, 'list': {'created_at': datetime.datetime(2027, 1, 15,
                9, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'deleted_at': None, 'id': 3, 'inbox': False,
                'role': 'owner', 'title': 'Trip to Lisbon', 'updated_at': datetime.datetime(2027, 1, 15, 10, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}], 'next_since': 'AgEAAQcqAA'}

        Attributes:
            lists (list[ChangedList | ListTombstone]): The lists' own changes in this page, in list order: apply them
                before the tasks' changes.
            changes (list[ChangedTask | Tombstone]): List by list (in id order), each list's in the order they were
                committed; each task at most once per list per page, as it was when
                the page was read.
            next_since (str): Send as `since` to continue exactly after this page, or, when
                `has_more` is `false`, to ask later for what has changed since.
            has_more (bool): Whether more changes follow already: ask again at once with
                `next_since`.
     """

    lists: list[ChangedList | ListTombstone]
    changes: list[ChangedTask | Tombstone]
    next_since: str
    has_more: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.changed_list import ChangedList # noqa: PLC0415
        from ..models.changed_task import ChangedTask # noqa: PLC0415
        from ..models.list_tombstone import ListTombstone # noqa: PLC0415
        from ..models.tombstone import Tombstone # noqa: PLC0415
        lists = []
        for lists_item_data in self.lists:
            lists_item: dict[str, Any]
            if isinstance(lists_item_data, ChangedList):
                lists_item = lists_item_data.to_dict()
            else:
                lists_item = lists_item_data.to_dict()

            lists.append(lists_item)



        changes = []
        for changes_item_data in self.changes:
            changes_item: dict[str, Any]
            if isinstance(changes_item_data, ChangedTask):
                changes_item = changes_item_data.to_dict()
            else:
                changes_item = changes_item_data.to_dict()

            changes.append(changes_item)



        next_since = self.next_since

        has_more = self.has_more


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "lists": lists,
            "changes": changes,
            "next_since": next_since,
            "has_more": has_more,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.changed_list import ChangedList # noqa: PLC0415
        from ..models.changed_task import ChangedTask # noqa: PLC0415
        from ..models.list_tombstone import ListTombstone # noqa: PLC0415
        from ..models.tombstone import Tombstone # noqa: PLC0415
        d = dict(src_dict)
        lists = []
        _lists = d.pop("lists")
        for lists_item_data in (_lists):
            def _parse_lists_item(data: object) -> ChangedList | ListTombstone:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_list_change_type_0 = ChangedList.from_dict(data)



                    return componentsschemas_list_change_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_list_change_type_1 = ListTombstone.from_dict(data)



                return componentsschemas_list_change_type_1

            lists_item = _parse_lists_item(lists_item_data)

            lists.append(lists_item)


        changes = []
        _changes = d.pop("changes")
        for changes_item_data in (_changes):
            def _parse_changes_item(data: object) -> ChangedTask | Tombstone:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_change_type_0 = ChangedTask.from_dict(data)



                    return componentsschemas_change_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_change_type_1 = Tombstone.from_dict(data)



                return componentsschemas_change_type_1

            changes_item = _parse_changes_item(changes_item_data)

            changes.append(changes_item)


        next_since = d.pop("next_since")

        has_more = d.pop("has_more")

        change_page = cls(
            lists=lists,
            changes=changes,
            next_since=next_since,
            has_more=has_more,
        )


        change_page.additional_properties = d
        return change_page

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
