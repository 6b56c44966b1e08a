from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    list_id: int,
    owner: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/lists/{list_id}/members/{owner}".format(list_id=quote(str(list_id), safe=""),owner=quote(str(owner), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
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

) -> Response[Any | Problem]:
    """ Remove a member

     Removes the owner `owner` (an id or a name) from the list: by one
    of the list's owners, or by the member itself to leave. In force
    for that member's very next request, on every process. The last
    owner cannot be removed (409).

    Args:
        list_id (int):
        owner (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
owner=owner,

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

) -> Any | Problem | None:
    """ Remove a member

     Removes the owner `owner` (an id or a name) from the list: by one
    of the list's owners, or by the member itself to leave. In force
    for that member's very next request, on every process. The last
    owner cannot be removed (409).

    Args:
        list_id (int):
        owner (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
     """


    return sync_detailed(
        list_id=list_id,
owner=owner,
client=client,

    ).parsed

async def asyncio_detailed(
    list_id: int,
    owner: str,
    *,
    client: AuthenticatedClient,

) -> Response[Any | Problem]:
    """ Remove a member

     Removes the owner `owner` (an id or a name) from the list: by one
    of the list's owners, or by the member itself to leave. In force
    for that member's very next request, on every process. The last
    owner cannot be removed (409).

    Args:
        list_id (int):
        owner (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
owner=owner,

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

) -> Any | Problem | None:
    """ Remove a member

     Removes the owner `owner` (an id or a name) from the list: by one
    of the list's owners, or by the member itself to leave. In force
    for that member's very next request, on every process. The last
    owner cannot be removed (409).

    Args:
        list_id (int):
        owner (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
     """


    return (await asyncio_detailed(
        list_id=list_id,
owner=owner,
client=client,

    )).parsed
