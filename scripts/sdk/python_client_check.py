"""Exercise the Python client generated from openapi.yaml against a server.

Usage: python_client_check.py BASE_URL API_KEY (the generated package must
be on sys.path). Each step asserts what a client user relies on: typed models in,
typed models out, and errors read as typed `Problem` values.
"""
import sys

from tasks_api_client import AuthenticatedClient, Client
from tasks_api_client.api.account import create_key, get_me, list_keys, revoke_key
from tasks_api_client.api.lists import (
    create_list,
    list_list_changes,
    list_lists,
    list_members,
    remove_member,
    set_member,
)
from tasks_api_client.api.owners import create_owner, create_owner_key
from tasks_api_client.api.tasks import (
    batch_tasks,
    create_task,
    delete_task,
    get_task,
    list_changes,
    list_labels,
    list_tasks,
    move_task,
    undelete_task,
    update_task,
)
from tasks_api_client.models import (
    ChangedList,
    ListInput,
    ListPage,
    MemberList,
    Role,
    RoleInput,
    TaskList,
    CreatedApiKey,
    KeyRequest,
    Me,
    OwnerRequest,
    Scope,
    BatchOperationBatchCreate,
    BatchOperationBatchCreateOp,
    BatchOperationBatchDelete,
    BatchOperationBatchDeleteOp,
    BatchRequest,
    BatchResponseBody,
    ChangedTask,
    ChangePage,
    LabelList,
    MoveBefore,
    Problem,
    Sort,
    Task,
    TaskInput,
    TaskPage,
    TaskPatch,
    Tombstone,
)


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
    assert invalid.status == 400 and not isinstance(missing.errors, list), missing
    assert [e.pointer for e in invalid.errors] == ["#/title"], invalid.errors
    print("400 as a typed Problem:", invalid.errors[0].to_dict())

    bad_page = list_tasks.sync(client=client, page=2, per_page=500)
    assert isinstance(bad_page, Problem) and bad_page.errors[0].parameter == "per_page"

    restored = undelete_task.sync(client=client, id=first.id)
    assert isinstance(restored, Task) and restored.title == "Task 1", restored
    print("undeleted:", restored.title)

    sync_through_the_feed(client)
    organise(client)
    access(base_url, client)
    share(base_url, client)
    print("the Python client works")


def sync_through_the_feed(client: AuthenticatedClient) -> None:
    """A replica kept by the change feed matches the server after a batch."""
    replica: dict[int, Task] = {}

    def pull(since):
        while True:
            page = list_changes.sync(client=client, since=since, per_page=5)
            assert isinstance(page, ChangePage), page
            for change in page.changes:
                if isinstance(change, Tombstone):
                    replica.pop(change.id, None)
                else:
                    assert isinstance(change, ChangedTask), change
                    replica[change.id] = change.task
            since = page.next_since
            if not page.has_more:
                return since

    token = pull(None)
    assert len(replica) == 12, sorted(replica)
    victim = min(replica)
    batch = batch_tasks.sync(
        client=client,
        body=BatchRequest(
            operations=[
                BatchOperationBatchCreate(
                    op=BatchOperationBatchCreateOp.CREATE, task=TaskInput(title="from a batch")
                ),
                BatchOperationBatchDelete(op=BatchOperationBatchDeleteOp.DELETE, id=victim),
            ]
        ),
    )
    assert isinstance(batch, BatchResponseBody), batch
    assert [r.status for r in batch.results] == [201, 204], batch
    token = pull(token)
    server = {}
    page = list_tasks.sync(client=client, per_page=100)
    for task in page.items:
        server[task.id] = task.to_dict()
    assert {i: t.to_dict() for i, t in replica.items()} == server, (replica, server)
    polled = list_changes.sync_detailed(client=client, since=token)
    again = list_changes.sync_detailed(
        client=client, since=token, if_none_match=polled.headers["etag"]
    )
    assert again.status_code == 304, again
    print(f"synced {len(replica)} tasks through the change feed; polling: 304")


def organise(client: AuthenticatedClient) -> None:
    """Subtasks, a move and labels, read back through the filters."""
    parent = create_task.sync(client=client, body=TaskInput(title="Plan the trip", labels=["Travel"]))
    assert isinstance(parent, Task) and parent.labels == ["travel"], parent
    steps = []
    for title in ["Book flights", "Book hotel", "Pack"]:
        step = create_task.sync(
            client=client, body=TaskInput(title=title, parent_id=parent.id, labels=["travel", "todo"])
        )
        assert isinstance(step, Task) and step.parent_id == parent.id, step
        steps.append(step)
    moved = move_task.sync(client=client, id=steps[2].id, body=MoveBefore(before_id=steps[0].id))
    assert isinstance(moved, Task) and moved.position < steps[0].position, moved
    ordered = list_tasks.sync(client=client, parent_id=str(parent.id), sort=Sort.POSITION)
    assert isinstance(ordered, TaskPage), ordered
    assert [t.title for t in ordered.items] == ["Pack", "Book flights", "Book hotel"], ordered
    tagged = list_tasks.sync(client=client, label=["TODO", "travel"], per_page=100)
    assert isinstance(tagged, TaskPage) and {t.id for t in tagged.items} == {s.id for s in steps}
    labels = list_labels.sync(client=client)
    assert isinstance(labels, LabelList), labels
    counts = {label.name: label.tasks for label in labels.labels}
    assert counts == {"todo": 3, "travel": 4}, counts
    refused = create_task.sync(client=client, body=TaskInput(title="x", parent_id=10**9))
    assert isinstance(refused, Problem) and refused.errors[0].pointer == "#/parent_id", refused
    print("subtasks in manual order, labels:", counts)


def access(base_url: str, client: AuthenticatedClient) -> None:
    """Who am I, a read-only key made and refused a write, an owner provisioned."""
    me = get_me.sync(client=client)
    assert isinstance(me, Me) and Scope.ADMIN in me.credential.scopes, me
    made = create_key.sync(client=client, body=KeyRequest(name="widget", scopes=[Scope.TASKSREAD]))
    assert isinstance(made, CreatedApiKey) and made.scopes == [Scope.TASKSREAD], made
    widget = AuthenticatedClient(base_url=base_url, token=made.key)
    assert isinstance(list_tasks.sync(client=widget), TaskPage)
    refused = create_task.sync_detailed(client=widget, body=TaskInput(title="no"))
    assert refused.status_code == 403 and isinstance(refused.parsed, Problem), refused
    assert refused.parsed.type_ == "urn:tasks-api:problem:insufficient-scope", refused.parsed
    assert any(k.name == "widget" for k in list_keys.sync(client=client).keys)
    assert revoke_key.sync_detailed(client=client, id=made.id).status_code == 204
    owner = create_owner.sync(client=client, body=OwnerRequest(name="ali"))
    key = create_owner_key.sync(
        client=client, id=owner.id, body=KeyRequest(name="ali's", scopes=[Scope.TASKSREAD, Scope.TASKSWRITE])
    )
    ali = AuthenticatedClient(base_url=base_url, token=key.key)
    assert get_me.sync(client=ali).owner.name == "ali"
    print("scopes: a read-only key refused a write with", refused.parsed.type_)


def share(base_url: str, client: AuthenticatedClient) -> None:
    """A list shared with another owner as an editor, then unshared."""
    made = create_list.sync(client=client, body=ListInput(title="Groceries"))
    assert isinstance(made, TaskList) and made.role == Role.OWNER and not made.inbox, made
    owner = create_owner.sync(client=client, body=OwnerRequest(name="bo"))
    key = create_owner_key.sync(
        client=client, id=owner.id, body=KeyRequest(name="bo's", scopes=[Scope.TASKSREAD, Scope.TASKSWRITE])
    )
    bo = AuthenticatedClient(base_url=base_url, token=key.key)
    members = set_member.sync(client=client, list_id=made.id, owner="bo", body=RoleInput(role=Role.EDITOR))
    assert isinstance(members, MemberList), members
    assert [(m.name, m.role) for m in members.members][-1] == ("bo", Role.EDITOR), members
    seen = list_lists.sync(client=bo)
    assert isinstance(seen, ListPage), seen
    shared = [l for l in seen.items if l.id == made.id]
    assert shared and shared[0].role == Role.EDITOR, seen
    milk = create_task.sync(client=bo, body=TaskInput(title="milk", list_id=made.id))
    assert isinstance(milk, Task) and milk.list_id == made.id, milk
    feed = list_list_changes.sync(client=bo, list_id=made.id)
    assert isinstance(feed, ChangePage) and [c.id for c in feed.changes] == [milk.id], feed
    assert isinstance(feed.lists[0], ChangedList) and feed.lists[0].list_.title == "Groceries", feed.lists
    assert isinstance(list_members.sync(client=bo, list_id=made.id), MemberList)
    assert remove_member.sync_detailed(client=client, list_id=made.id, owner="bo").status_code == 204
    refused = update_task.sync(client=bo, id=milk.id, body=TaskPatch(done=True))
    assert isinstance(refused, Problem) and refused.status == 404, refused
    print("shared a list with bo, then unshared: bo's write is", refused.status)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
