from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.list_patch import ListPatch
from ...models.problem import Problem
from ...models.task_list import TaskList
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    list_id: int,
    *,
    body:    ListPatch  |     ListPatch  | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match



    

    

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/lists/{list_id}".format(list_id=quote(str(list_id), safe=""),),
    }

    if isinstance(body, ListPatch):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/merge-patch+json"
    if isinstance(body, ListPatch):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | TaskList | None:
    if response.status_code == 200:
        response_200 = TaskList.from_dict(response.json())



        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem | TaskList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body:    ListPatch  |     ListPatch  | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Response[Any | Problem | TaskList]:
    """ Rename a list

     A JSON Merge Patch of the list's `title` (its owners only). With
    `If-Match`, only if the list still has that ETag.

    Args:
        list_id (int):
        if_match (str | Unset):
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | TaskList]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
body=body,
if_match=if_match,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body:    ListPatch  |     ListPatch  | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Any | Problem | TaskList | None:
    """ Rename a list

     A JSON Merge Patch of the list's `title` (its owners only). With
    `If-Match`, only if the list still has that ETag.

    Args:
        list_id (int):
        if_match (str | Unset):
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | TaskList
     """


    return sync_detailed(
        list_id=list_id,
client=client,
body=body,
if_match=if_match,

    ).parsed

async def asyncio_detailed(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body:    ListPatch  |     ListPatch  | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Response[Any | Problem | TaskList]:
    """ Rename a list

     A JSON Merge Patch of the list's `title` (its owners only). With
    `If-Match`, only if the list still has that ETag.

    Args:
        list_id (int):
        if_match (str | Unset):
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | TaskList]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
body=body,
if_match=if_match,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body:    ListPatch  |     ListPatch  | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Any | Problem | TaskList | None:
    """ Rename a list

     A JSON Merge Patch of the list's `title` (its owners only). With
    `If-Match`, only if the list still has that ETag.

    Args:
        list_id (int):
        if_match (str | Unset):
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.
        body (ListPatch): A JSON Merge Patch of a list: its new `title`. Example: {'title':
            'Lisbon, May'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | TaskList
     """


    return (await asyncio_detailed(
        list_id=list_id,
client=client,
body=body,
if_match=if_match,

    )).parsed
