from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.sort import Sort
from ...models.task_page import TaskPage
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    page: int | Unset = 1,
    per_page: int | Unset = 10,
    done: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: Sort | Unset = UNSET,
    cursor: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    show_deleted: bool | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    label: list[str] | Unset = UNSET,
    list_id: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["page"] = page

    params["per_page"] = per_page

    params["done"] = done

    params["q"] = q

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["cursor"] = cursor

    json_updated_since: str | Unset = UNSET
    if not isinstance(updated_since, Unset):
        json_updated_since = updated_since.isoformat()
    params["updated_since"] = json_updated_since

    json_updated_before: str | Unset = UNSET
    if not isinstance(updated_before, Unset):
        json_updated_before = updated_before.isoformat()
    params["updated_before"] = json_updated_before

    json_due_after: str | Unset = UNSET
    if not isinstance(due_after, Unset):
        json_due_after = due_after.isoformat()
    params["due_after"] = json_due_after

    json_due_before: str | Unset = UNSET
    if not isinstance(due_before, Unset):
        json_due_before = due_before.isoformat()
    params["due_before"] = json_due_before

    params["show_deleted"] = show_deleted

    params["parent_id"] = parent_id

    json_label: list[str] | Unset = UNSET
    if not isinstance(label, Unset):
        json_label = label


    params["label"] = json_label

    params["list_id"] = list_id


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/tasks",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TaskPage | None:
    if response.status_code == 200:
        response_200 = TaskPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | TaskPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    per_page: int | Unset = 10,
    done: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: Sort | Unset = UNSET,
    cursor: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    show_deleted: bool | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    label: list[str] | Unset = UNSET,
    list_id: int | Unset = UNSET,

) -> Response[Problem | TaskPage]:
    """ List tasks

     Returns one page of tasks, filtered and ordered as asked. Page mode
    (`page`) counts the matches and may skip to any page; a page past the
    end is empty, not an error. Cursor mode (`cursor`, from a previous
    `next_cursor`) continues after the previous page at the same cost at
    any depth, without counting, and never shows a task twice or skips
    one that existed throughout, even while tasks are added or deleted.

    Args:
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 10. Example: 20.
        done (bool | Unset):
        q (str | Unset):
        sort (Sort | Unset): The order of a list: a field, with a leading `-` for descending. Ties
            are
            broken by `id` in the same direction; tasks with no `due_at` come last in
            both directions.
        cursor (str | Unset):
        updated_since (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        show_deleted (bool | Unset):
        parent_id (str | Unset):
        label (list[str] | Unset):
        list_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskPage]
     """


    kwargs = _get_kwargs(
        page=page,
per_page=per_page,
done=done,
q=q,
sort=sort,
cursor=cursor,
updated_since=updated_since,
updated_before=updated_before,
due_after=due_after,
due_before=due_before,
show_deleted=show_deleted,
parent_id=parent_id,
label=label,
list_id=list_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    per_page: int | Unset = 10,
    done: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: Sort | Unset = UNSET,
    cursor: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    show_deleted: bool | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    label: list[str] | Unset = UNSET,
    list_id: int | Unset = UNSET,

) -> Problem | TaskPage | None:
    """ List tasks

     Returns one page of tasks, filtered and ordered as asked. Page mode
    (`page`) counts the matches and may skip to any page; a page past the
    end is empty, not an error. Cursor mode (`cursor`, from a previous
    `next_cursor`) continues after the previous page at the same cost at
    any depth, without counting, and never shows a task twice or skips
    one that existed throughout, even while tasks are added or deleted.

    Args:
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 10. Example: 20.
        done (bool | Unset):
        q (str | Unset):
        sort (Sort | Unset): The order of a list: a field, with a leading `-` for descending. Ties
            are
            broken by `id` in the same direction; tasks with no `due_at` come last in
            both directions.
        cursor (str | Unset):
        updated_since (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        show_deleted (bool | Unset):
        parent_id (str | Unset):
        label (list[str] | Unset):
        list_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskPage
     """


    return sync_detailed(
        client=client,
page=page,
per_page=per_page,
done=done,
q=q,
sort=sort,
cursor=cursor,
updated_since=updated_since,
updated_before=updated_before,
due_after=due_after,
due_before=due_before,
show_deleted=show_deleted,
parent_id=parent_id,
label=label,
list_id=list_id,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    per_page: int | Unset = 10,
    done: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: Sort | Unset = UNSET,
    cursor: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    show_deleted: bool | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    label: list[str] | Unset = UNSET,
    list_id: int | Unset = UNSET,

) -> Response[Problem | TaskPage]:
    """ List tasks

     Returns one page of tasks, filtered and ordered as asked. Page mode
    (`page`) counts the matches and may skip to any page; a page past the
    end is empty, not an error. Cursor mode (`cursor`, from a previous
    `next_cursor`) continues after the previous page at the same cost at
    any depth, without counting, and never shows a task twice or skips
    one that existed throughout, even while tasks are added or deleted.

    Args:
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 10. Example: 20.
        done (bool | Unset):
        q (str | Unset):
        sort (Sort | Unset): The order of a list: a field, with a leading `-` for descending. Ties
            are
            broken by `id` in the same direction; tasks with no `due_at` come last in
            both directions.
        cursor (str | Unset):
        updated_since (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        show_deleted (bool | Unset):
        parent_id (str | Unset):
        label (list[str] | Unset):
        list_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskPage]
     """


    kwargs = _get_kwargs(
        page=page,
per_page=per_page,
done=done,
q=q,
sort=sort,
cursor=cursor,
updated_since=updated_since,
updated_before=updated_before,
due_after=due_after,
due_before=due_before,
show_deleted=show_deleted,
parent_id=parent_id,
label=label,
list_id=list_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    per_page: int | Unset = 10,
    done: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: Sort | Unset = UNSET,
    cursor: str | Unset = UNSET,
    updated_since: datetime.datetime | Unset = UNSET,
    updated_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    show_deleted: bool | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    label: list[str] | Unset = UNSET,
    list_id: int | Unset = UNSET,

) -> Problem | TaskPage | None:
    """ List tasks

     Returns one page of tasks, filtered and ordered as asked. Page mode
    (`page`) counts the matches and may skip to any page; a page past the
    end is empty, not an error. Cursor mode (`cursor`, from a previous
    `next_cursor`) continues after the previous page at the same cost at
    any depth, without counting, and never shows a task twice or skips
    one that existed throughout, even while tasks are added or deleted.

    Args:
        page (int | Unset):  Default: 1.
        per_page (int | Unset):  Default: 10. Example: 20.
        done (bool | Unset):
        q (str | Unset):
        sort (Sort | Unset): The order of a list: a field, with a leading `-` for descending. Ties
            are
            broken by `id` in the same direction; tasks with no `due_at` come last in
            both directions.
        cursor (str | Unset):
        updated_since (datetime.datetime | Unset):
        updated_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        show_deleted (bool | Unset):
        parent_id (str | Unset):
        label (list[str] | Unset):
        list_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskPage
     """


    return (await asyncio_detailed(
        client=client,
page=page,
per_page=per_page,
done=done,
q=q,
sort=sort,
cursor=cursor,
updated_since=updated_since,
updated_before=updated_before,
due_after=due_after,
due_before=due_before,
show_deleted=show_deleted,
parent_id=parent_id,
label=label,
list_id=list_id,

    )).parsed
