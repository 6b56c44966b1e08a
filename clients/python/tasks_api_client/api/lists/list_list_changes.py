from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.change_page import ChangePage
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    list_id: int,
    *,
    since: str | Unset = UNSET,
    per_page: int | Unset = 100,
    if_none_match: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match



    

    params: dict[str, Any] = {}

    params["since"] = since

    params["per_page"] = per_page


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/lists/{list_id}/changes".format(list_id=quote(str(list_id), safe=""),),
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ChangePage | Problem | None:
    if response.status_code == 200:
        response_200 = ChangePage.from_dict(response.json())



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

    if response.status_code == 410:
        response_410 = Problem.from_dict(response.json())



        return response_410

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ChangePage | Problem]:
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
    since: str | Unset = UNSET,
    per_page: int | Unset = 100,
    if_none_match: str | Unset = UNSET,

) -> Response[Any | ChangePage | Problem]:
    """ List one list's changes since a token

     The change feed of one list, for a client that syncs only it: as
    `GET /api/tasks/changes`, with tokens of its own.

    Args:
        list_id (int):
        since (str | Unset):
        per_page (int | Unset):  Default: 100.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ChangePage | Problem]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
since=since,
per_page=per_page,
if_none_match=if_none_match,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    list_id: int,
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    per_page: int | Unset = 100,
    if_none_match: str | Unset = UNSET,

) -> Any | ChangePage | Problem | None:
    """ List one list's changes since a token

     The change feed of one list, for a client that syncs only it: as
    `GET /api/tasks/changes`, with tokens of its own.

    Args:
        list_id (int):
        since (str | Unset):
        per_page (int | Unset):  Default: 100.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ChangePage | Problem
     """


    return sync_detailed(
        list_id=list_id,
client=client,
since=since,
per_page=per_page,
if_none_match=if_none_match,

    ).parsed

async def asyncio_detailed(
    list_id: int,
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    per_page: int | Unset = 100,
    if_none_match: str | Unset = UNSET,

) -> Response[Any | ChangePage | Problem]:
    """ List one list's changes since a token

     The change feed of one list, for a client that syncs only it: as
    `GET /api/tasks/changes`, with tokens of its own.

    Args:
        list_id (int):
        since (str | Unset):
        per_page (int | Unset):  Default: 100.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ChangePage | Problem]
     """


    kwargs = _get_kwargs(
        list_id=list_id,
since=since,
per_page=per_page,
if_none_match=if_none_match,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    list_id: int,
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    per_page: int | Unset = 100,
    if_none_match: str | Unset = UNSET,

) -> Any | ChangePage | Problem | None:
    """ List one list's changes since a token

     The change feed of one list, for a client that syncs only it: as
    `GET /api/tasks/changes`, with tokens of its own.

    Args:
        list_id (int):
        since (str | Unset):
        per_page (int | Unset):  Default: 100.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ChangePage | Problem
     """


    return (await asyncio_detailed(
        list_id=list_id,
client=client,
since=since,
per_page=per_page,
if_none_match=if_none_match,

    )).parsed
