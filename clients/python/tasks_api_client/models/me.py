from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.account import Account
  from ..models.credential import Credential





T = TypeVar("T", bound="Me")



@_attrs_define
class Me:
    """ Who is calling, and with what.

        Example:
            {'credential': {'expires_at': datetime.datetime(2028, 1, 1, 0, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'key_id': 12, 'kind': 'api_key', 'scopes': ['tasks:read',
                'tasks:write']}, 'owner': {'created_at': datetime.datetime(2027, 1, 1, 0, 0,
                tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'disabled_at': None, 'id': 3, 'name': 'ali'}}

        Attributes:
            owner (Account): An owner: a user or a service account, what tasks belong to. Example: {'created_at':
                datetime.datetime(2027, 1, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'disabled_at': None,
                'id': 3, 'name': 'ali'}.
            credential (Credential): The credential of this request.
     """

    owner: Account
    credential: Credential
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.account import Account # noqa: PLC0415
        from ..models.credential import Credential # noqa: PLC0415
        owner = self.owner.to_dict()

        credential = self.credential.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "owner": owner,
            "credential": credential,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account import Account # noqa: PLC0415
        from ..models.credential import Credential # noqa: PLC0415
        d = dict(src_dict)
        owner = Account.from_dict(d.pop("owner"))




        credential = Credential.from_dict(d.pop("credential"))




        me = cls(
            owner=owner,
            credential=credential,
        )


        me.additional_properties = d
        return me

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
