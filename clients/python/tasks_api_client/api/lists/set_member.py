from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.member_list import MemberList
from ...models.problem import Problem
from ...models.role_input import RoleInput
from typing import cast



def _get_kwargs(
    list_id: int,
    owner: str,
    *,
    body: RoleInput,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/lists/{list_id}/members/{owner}".format(list_id=quote(str(list_id), safe=""),owner=quote(str(owner), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MemberList | Problem | None:
    if response.status_code == 200:
        response_200 = MemberList.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = MemberList.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())



        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())



        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[MemberList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    list_id: int,
    owner: str,
    *,
    client: AuthenticatedClient,
    body: RoleInput,

) -> Response[MemberList | Problem]:
    """ Add a member or change its role

     Gives the owner `owner` (an id or a name) `role` on the list (the
    list's owners only): 201 when it was added, 200 when its role was
    changed. In force for that member's very next request, on every
    process. Demoting the last owner is a 409; an inbox is not shared.

    Args:
        list_id (int):
        owner (str):
        body (RoleInput): The body that gives a member its role. Example: {'role': 'editor'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MemberList | Problem]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
owner=owner,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    list_id: int,
    owner: str,
    *,
    client: AuthenticatedClient,
    body: RoleInput,

) -> MemberList | Problem | None:
    """ Add a member or change its role

     Gives the owner `owner` (an id or a name) `role` on the list (the
    list's owners only): 201 when it was added, 200 when its role was
    changed. In force for that member's very next request, on every
    process. Demoting the last owner is a 409; an inbox is not shared.

    Args:
        list_id (int):
        owner (str):
        body (RoleInput): The body that gives a member its role. Example: {'role': 'editor'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MemberList | Problem
     """


    return sync_detailed(
        list_id=list_id,
owner=owner,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    list_id: int,
    owner: str,
    *,
    client: AuthenticatedClient,
    body: RoleInput,

) -> Response[MemberList | Problem]:
    """ Add a member or change its role

     Gives the owner `owner` (an id or a name) `role` on the list (the
    list's owners only): 201 when it was added, 200 when its role was
    changed. In force for that member's very next request, on every
    process. Demoting the last owner is a 409; an inbox is not shared.

    Args:
        list_id (int):
        owner (str):
        body (RoleInput): The body that gives a member its role. Example: {'role': 'editor'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MemberList | Problem]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
owner=owner,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    list_id: int,
    owner: str,
    *,
    client: AuthenticatedClient,
    body: RoleInput,

) -> MemberList | Problem | None:
    """ Add a member or change its role

     Gives the owner `owner` (an id or a name) `role` on the list (the
    list's owners only): 201 when it was added, 200 when its role was
    changed. In force for that member's very next request, on every
    process. Demoting the last owner is a 409; an inbox is not shared.

    Args:
        list_id (int):
        owner (str):
        body (RoleInput): The body that gives a member its role. Example: {'role': 'editor'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MemberList | Problem
     """


    return (await asyncio_detailed(
        list_id=list_id,
owner=owner,
client=client,
body=body,

    )).parsed
