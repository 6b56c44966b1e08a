"""Exercise the Python client generated from openapi.yaml against a server.

Usage: python_client_check.py BASE_URL API_KEY (the generated package must
be on sys.path). Each step asserts what a client user relies on: typed models in,
typed models out, and errors read as typed `Problem` values.
"""
import sys

from tasks_api_client import AuthenticatedClient, Client
from tasks_api_client.api.tasks import (
    create_task,
    delete_task,
    get_task,
    list_tasks,
    update_task,
)
from tasks_api_client.models import Problem, Task, TaskInput, TaskPage, TaskPatch


def main(base_url: str, api_key: str) -> None:
    anonymous = Client(base_url=base_url)
    refused = list_tasks.sync_detailed(client=anonymous)
    assert refused.status_code == 401 and isinstance(refused.parsed, Problem), refused
    print("without a key: 401", refused.parsed.type_)

    client = AuthenticatedClient(base_url=base_url, token=api_key, raise_on_unexpected_status=True)

    created = []
    for i in range(1, 13):
        response = create_task.sync_detailed(client=client, body=TaskInput(title=f"Task {i}"))
        assert response.status_code == 201, response
        assert isinstance(response.parsed, Task)
        assert response.headers["location"] == f"/api/tasks/{response.parsed.id}"
        created.append(response.parsed)
    print(f"created {len(created)} tasks")

    page = list_tasks.sync(client=client, page=2, per_page=5)
    assert isinstance(page, TaskPage), page
    assert [t.title for t in page.items] == [f"Task {i}" for i in range(6, 11)], page
    assert (page.total, page.total_pages, page.page) == (12, 3, 2)
    print("page 2 of 5:", [t.title for t in page.items])

    first = created[0]
    fetched = get_task.sync(client=client, id=first.id)
    assert isinstance(fetched, Task) and fetched.to_dict() == first.to_dict(), fetched

    patched = update_task.sync(
        client=client, id=first.id, body=TaskPatch(done=True, description="patched")
    )
    assert isinstance(patched, Task), patched
    assert patched.done is True and patched.description == "patched" and patched.title == "Task 1"
    cleared = update_task.sync(client=client, id=first.id, body=TaskPatch(description=None))
    assert isinstance(cleared, Task) and cleared.description is None, cleared
    print("patched:", patched.to_dict())

    deleted = delete_task.sync_detailed(client=client, id=first.id)
    assert deleted.status_code == 204, deleted

    missing = get_task.sync(client=client, id=first.id)
    assert isinstance(missing, Problem), missing
    assert missing.status == 404 and missing.type_ == "urn:tasks-api:problem:task-not-found", missing
    print("404 as a typed Problem:", missing.detail)

    invalid = create_task.sync(client=client, body=TaskInput(title="   "))
    assert isinstance(invalid, Problem), invalid
    assert invalid.status == 400
    assert [e.pointer for e in invalid.errors] == ["#/title"], invalid.errors
    print("400 as a typed Problem:", invalid.errors[0].to_dict())

    bad_page = list_tasks.sync(client=client, page=2, per_page=500)
    assert isinstance(bad_page, Problem) and bad_page.errors[0].parameter == "per_page"
    print("the Python client works")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
