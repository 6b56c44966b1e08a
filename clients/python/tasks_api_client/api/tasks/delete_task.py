from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    id: int,
    *,
    purge: bool | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match



    

    params: dict[str, Any] = {}

    params["purge"] = purge


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/tasks/{id}".format(id=quote(str(id), safe=""),),
        "params": params,
    }


    _kwargs["headers"] = headers
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

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())



        return response_412

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
    id: int,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Response[Any | Problem]:
    """ Delete a task

     Moves the task to the trash: it is then 404 here and left out of
    lists (unless `show_deleted=true`), `POST /api/tasks/{id}/undelete`
    restores it, and it is removed for good after the retention (30 days
    by default). `purge=true` removes it for good at once, also from the
    trash. With `If-Match`, only if the task still has that ETag.

    Args:
        id (int):  Example: 42.
        purge (bool | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
     """


    kwargs = _get_kwargs(
        id=id,
purge=purge,
if_match=if_match,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Any | Problem | None:
    """ Delete a task

     Moves the task to the trash: it is then 404 here and left out of
    lists (unless `show_deleted=true`), `POST /api/tasks/{id}/undelete`
    restores it, and it is removed for good after the retention (30 days
    by default). `purge=true` removes it for good at once, also from the
    trash. With `If-Match`, only if the task still has that ETag.

    Args:
        id (int):  Example: 42.
        purge (bool | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
     """


    return sync_detailed(
        id=id,
client=client,
purge=purge,
if_match=if_match,

    ).parsed

async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Response[Any | Problem]:
    """ Delete a task

     Moves the task to the trash: it is then 404 here and left out of
    lists (unless `show_deleted=true`), `POST /api/tasks/{id}/undelete`
    restores it, and it is removed for good after the retention (30 days
    by default). `purge=true` removes it for good at once, also from the
    trash. With `If-Match`, only if the task still has that ETag.

    Args:
        id (int):  Example: 42.
        purge (bool | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
     """


    kwargs = _get_kwargs(
        id=id,
purge=purge,
if_match=if_match,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    purge: bool | Unset = UNSET,
    if_match: str | Unset = UNSET,

) -> Any | Problem | None:
    """ Delete a task

     Moves the task to the trash: it is then 404 here and left out of
    lists (unless `show_deleted=true`), `POST /api/tasks/{id}/undelete`
    restores it, and it is removed for good after the retention (30 days
    by default). `purge=true` removes it for good at once, also from the
    trash. With `If-Match`, only if the task still has that ETag.

    Args:
        id (int):  Example: 42.
        purge (bool | Unset):
        if_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
     """


    return (await asyncio_detailed(
        id=id,
client=client,
purge=purge,
if_match=if_match,

    )).parsed
