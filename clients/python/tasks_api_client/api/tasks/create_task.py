from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.task import Task
from ...models.task_input import TaskInput
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: TaskInput,
    idempotency_key: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/tasks",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Task | None:
    if response.status_code == 201:
        response_201 = Task.from_dict(response.json())



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

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

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
    *,
    client: AuthenticatedClient,
    body: TaskInput,
    idempotency_key: str | Unset = UNSET,

) -> Response[Problem | Task]:
    """ Create a task

     Stores a new task and returns it with its `Location` and `ETag`. With
    an `Idempotency-Key`, the request is performed once: a retry with the
    same key and the same body gets the first response again (also when
    it arrives while the first is running, or at another process); the
    same key with a different body is a 422. Keys are kept 24 hours.

    Args:
        idempotency_key (str | Unset):
        body (TaskInput): The fields a client sets when it creates or replaces a task. Read-only
            and unknown members are ignored. Example: {'description': 'Window seat; leave before
            10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Task]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: TaskInput,
    idempotency_key: str | Unset = UNSET,

) -> Problem | Task | None:
    """ Create a task

     Stores a new task and returns it with its `Location` and `ETag`. With
    an `Idempotency-Key`, the request is performed once: a retry with the
    same key and the same body gets the first response again (also when
    it arrives while the first is running, or at another process); the
    same key with a different body is a 422. Keys are kept 24 hours.

    Args:
        idempotency_key (str | Unset):
        body (TaskInput): The fields a client sets when it creates or replaces a task. Read-only
            and unknown members are ignored. Example: {'description': 'Window seat; leave before
            10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Task
     """


    return sync_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TaskInput,
    idempotency_key: str | Unset = UNSET,

) -> Response[Problem | Task]:
    """ Create a task

     Stores a new task and returns it with its `Location` and `ETag`. With
    an `Idempotency-Key`, the request is performed once: a retry with the
    same key and the same body gets the first response again (also when
    it arrives while the first is running, or at another process); the
    same key with a different body is a 422. Keys are kept 24 hours.

    Args:
        idempotency_key (str | Unset):
        body (TaskInput): The fields a client sets when it creates or replaces a task. Read-only
            and unknown members are ignored. Example: {'description': 'Window seat; leave before
            10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Task]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TaskInput,
    idempotency_key: str | Unset = UNSET,

) -> Problem | Task | None:
    """ Create a task

     Stores a new task and returns it with its `Location` and `ETag`. With
    an `Idempotency-Key`, the request is performed once: a retry with the
    same key and the same body gets the first response again (also when
    it arrives while the first is running, or at another process); the
    same key with a different body is a 422. Keys are kept 24 hours.

    Args:
        idempotency_key (str | Unset):
        body (TaskInput): The fields a client sets when it creates or replaces a task. Read-only
            and unknown members are ignored. Example: {'description': 'Window seat; leave before
            10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Task
     """


    return (await asyncio_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    )).parsed
