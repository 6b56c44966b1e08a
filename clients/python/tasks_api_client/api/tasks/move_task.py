from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.move_after import MoveAfter
from ...models.move_before import MoveBefore
from ...models.move_last import MoveLast
from ...models.problem import Problem
from ...models.task import Task
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    id: int,
    *,
    body: MoveAfter | MoveBefore | MoveLast,
    if_match: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/tasks/{id}/move".format(id=quote(str(id), safe=""),),
    }

    
    if isinstance(body, MoveAfter):
        _kwargs["json"] = body.to_dict()
    elif isinstance(body, MoveBefore):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()


    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Task | None:
    if response.status_code == 200:
        response_200 = Task.from_dict(response.json())



        return response_200

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Task]:
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
    body: MoveAfter | MoveBefore | MoveLast,
    if_match: str | Unset = UNSET,

) -> Response[Problem | Task]:
    """ Move a task

     Puts the task under another parent and/or in another place among its
    siblings: right after `after_id`, right before `before_id`, or last.
    One write whatever the number of siblings; concurrent moves are
    applied one after the other, so every client ends with one order.
    Its subtasks move with it. With `If-Match`, only if the task still
    has that ETag.

    Args:
        id (int):  Example: 42.
        if_match (str | Unset):
        body (MoveAfter | MoveBefore | MoveLast): Where to move a task: right after a sibling
            (`after_id`), right
            before one (`before_id`), or, with neither, last among its siblings.
            `after_id` and `before_id` together are refused: exactly one of the
            three shapes matches a body. `parent_id` is the new parent, a task id
            or `null` for the top level; left out, the task keeps its parent. It
            must be the owner's task, not in the trash, not the task itself or one
            of its subtasks, with fewer than 1,000 subtasks, and the moved subtree
            must stay within 5 levels. `list_id` moves the task with its whole
            subtree to another list (the caller must be an editor of both): at
            the top level there unless `parent_id` names a task of that list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Task]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,
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
    body: MoveAfter | MoveBefore | MoveLast,
    if_match: str | Unset = UNSET,

) -> Problem | Task | None:
    """ Move a task

     Puts the task under another parent and/or in another place among its
    siblings: right after `after_id`, right before `before_id`, or last.
    One write whatever the number of siblings; concurrent moves are
    applied one after the other, so every client ends with one order.
    Its subtasks move with it. With `If-Match`, only if the task still
    has that ETag.

    Args:
        id (int):  Example: 42.
        if_match (str | Unset):
        body (MoveAfter | MoveBefore | MoveLast): Where to move a task: right after a sibling
            (`after_id`), right
            before one (`before_id`), or, with neither, last among its siblings.
            `after_id` and `before_id` together are refused: exactly one of the
            three shapes matches a body. `parent_id` is the new parent, a task id
            or `null` for the top level; left out, the task keeps its parent. It
            must be the owner's task, not in the trash, not the task itself or one
            of its subtasks, with fewer than 1,000 subtasks, and the moved subtree
            must stay within 5 levels. `list_id` moves the task with its whole
            subtree to another list (the caller must be an editor of both): at
            the top level there unless `parent_id` names a task of that list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Task
     """


    return sync_detailed(
        id=id,
client=client,
body=body,
if_match=if_match,

    ).parsed

async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: MoveAfter | MoveBefore | MoveLast,
    if_match: str | Unset = UNSET,

) -> Response[Problem | Task]:
    """ Move a task

     Puts the task under another parent and/or in another place among its
    siblings: right after `after_id`, right before `before_id`, or last.
    One write whatever the number of siblings; concurrent moves are
    applied one after the other, so every client ends with one order.
    Its subtasks move with it. With `If-Match`, only if the task still
    has that ETag.

    Args:
        id (int):  Example: 42.
        if_match (str | Unset):
        body (MoveAfter | MoveBefore | MoveLast): Where to move a task: right after a sibling
            (`after_id`), right
            before one (`before_id`), or, with neither, last among its siblings.
            `after_id` and `before_id` together are refused: exactly one of the
            three shapes matches a body. `parent_id` is the new parent, a task id
            or `null` for the top level; left out, the task keeps its parent. It
            must be the owner's task, not in the trash, not the task itself or one
            of its subtasks, with fewer than 1,000 subtasks, and the moved subtree
            must stay within 5 levels. `list_id` moves the task with its whole
            subtree to another list (the caller must be an editor of both): at
            the top level there unless `parent_id` names a task of that list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Task]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,
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
    body: MoveAfter | MoveBefore | MoveLast,
    if_match: str | Unset = UNSET,

) -> Problem | Task | None:
    """ Move a task

     Puts the task under another parent and/or in another place among its
    siblings: right after `after_id`, right before `before_id`, or last.
    One write whatever the number of siblings; concurrent moves are
    applied one after the other, so every client ends with one order.
    Its subtasks move with it. With `If-Match`, only if the task still
    has that ETag.

    Args:
        id (int):  Example: 42.
        if_match (str | Unset):
        body (MoveAfter | MoveBefore | MoveLast): Where to move a task: right after a sibling
            (`after_id`), right
            before one (`before_id`), or, with neither, last among its siblings.
            `after_id` and `before_id` together are refused: exactly one of the
            three shapes matches a body. `parent_id` is the new parent, a task id
            or `null` for the top level; left out, the task keeps its parent. It
            must be the owner's task, not in the trash, not the task itself or one
            of its subtasks, with fewer than 1,000 subtasks, and the moved subtree
            must stay within 5 levels. `list_id` moves the task with its whole
            subtree to another list (the caller must be an editor of both): at
            the top level there unless `parent_id` names a task of that list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Task
     """


    return (await asyncio_detailed(
        id=id,
client=client,
body=body,
if_match=if_match,

    )).parsed
