from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.batch_request import BatchRequest
from ...models.batch_response_body import BatchResponseBody
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: BatchRequest,
    idempotency_key: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/tasks/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BatchResponseBody | Problem | None:
    if response.status_code == 200:
        response_200 = BatchResponseBody.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BatchResponseBody | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchRequest,
    idempotency_key: str | Unset = UNSET,

) -> Response[BatchResponseBody | Problem]:
    """ Run a batch of writes

     Performs up to 100 creates, updates and deletes in order, in one
    transaction: all of them, or none. Invalid input is a 400 naming every
    bad member by its JSON pointer (`#/operations/3/task/title`); an
    operation that cannot be done (a missing task: 404; an `if_match`
    that is not the task's ETag: 412) fails the whole batch and the
    problem names it (`#/operations/3`). With an `Idempotency-Key`, the
    batch is performed once: a retry gets the first response again.

    Args:
        idempotency_key (str | Unset):
        body (BatchRequest): A batch: 1–100 operations, performed in order, all or nothing.
            Example: {'operations': [{'op': 'create', 'task': {'description': 'Window seat; leave
            before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}}, {'id': 42, 'if_match': '"42-3"', 'op': 'update', 'task':
            {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'id': 43, 'op': 'delete'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponseBody | Problem]
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
    body: BatchRequest,
    idempotency_key: str | Unset = UNSET,

) -> BatchResponseBody | Problem | None:
    """ Run a batch of writes

     Performs up to 100 creates, updates and deletes in order, in one
    transaction: all of them, or none. Invalid input is a 400 naming every
    bad member by its JSON pointer (`#/operations/3/task/title`); an
    operation that cannot be done (a missing task: 404; an `if_match`
    that is not the task's ETag: 412) fails the whole batch and the
    problem names it (`#/operations/3`). With an `Idempotency-Key`, the
    batch is performed once: a retry gets the first response again.

    Args:
        idempotency_key (str | Unset):
        body (BatchRequest): A batch: 1–100 operations, performed in order, all or nothing.
            Example: {'operations': [{'op': 'create', 'task': {'description': 'Window seat; leave
            before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}}, {'id': 42, 'if_match': '"42-3"', 'op': 'update', 'task':
            {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'id': 43, 'op': 'delete'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponseBody | Problem
     """


    return sync_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchRequest,
    idempotency_key: str | Unset = UNSET,

) -> Response[BatchResponseBody | Problem]:
    """ Run a batch of writes

     Performs up to 100 creates, updates and deletes in order, in one
    transaction: all of them, or none. Invalid input is a 400 naming every
    bad member by its JSON pointer (`#/operations/3/task/title`); an
    operation that cannot be done (a missing task: 404; an `if_match`
    that is not the task's ETag: 412) fails the whole batch and the
    problem names it (`#/operations/3`). With an `Idempotency-Key`, the
    batch is performed once: a retry gets the first response again.

    Args:
        idempotency_key (str | Unset):
        body (BatchRequest): A batch: 1–100 operations, performed in order, all or nothing.
            Example: {'operations': [{'op': 'create', 'task': {'description': 'Window seat; leave
            before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}}, {'id': 42, 'if_match': '"42-3"', 'op': 'update', 'task':
            {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'id': 43, 'op': 'delete'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponseBody | Problem]
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
    body: BatchRequest,
    idempotency_key: str | Unset = UNSET,

) -> BatchResponseBody | Problem | None:
    """ Run a batch of writes

     Performs up to 100 creates, updates and deletes in order, in one
    transaction: all of them, or none. Invalid input is a 400 naming every
    bad member by its JSON pointer (`#/operations/3/task/title`); an
    operation that cannot be done (a missing task: 404; an `if_match`
    that is not the task's ETag: 412) fails the whole batch and the
    problem names it (`#/operations/3`). With an `Idempotency-Key`, the
    batch is performed once: a retry gets the first response again.

    Args:
        idempotency_key (str | Unset):
        body (BatchRequest): A batch: 1–100 operations, performed in order, all or nothing.
            Example: {'operations': [{'op': 'create', 'task': {'description': 'Window seat; leave
            before 10:00.', 'done': False, 'due_at': datetime.datetime(2027, 1, 29, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z')), 'labels': ['travel'], 'parent_id':
            None, 'title': 'Book flights'}}, {'id': 42, 'if_match': '"42-3"', 'op': 'update', 'task':
            {'description': None, 'done': True, 'due_at': datetime.datetime(2027, 1, 30, 9, 0,
            tzinfo=datetime.timezone(datetime.timedelta(0), 'Z'))}}, {'id': 43, 'op': 'delete'}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponseBody | Problem
     """


    return (await asyncio_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    )).parsed
