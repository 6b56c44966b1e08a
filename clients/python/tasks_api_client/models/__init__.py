""" Contains all the data models used in inputs/outputs """

from .account import Account
from .api_key import ApiKey
from .batch_create import BatchCreate
from .batch_delete import BatchDelete
from .batch_item_result import BatchItemResult
from .batch_operation_batch_create import BatchOperationBatchCreate
from .batch_operation_batch_create_op import BatchOperationBatchCreateOp
from .batch_operation_batch_delete import BatchOperationBatchDelete
from .batch_operation_batch_delete_op import BatchOperationBatchDeleteOp
from .batch_operation_batch_update import BatchOperationBatchUpdate
from .batch_operation_batch_update_op import BatchOperationBatchUpdateOp
from .batch_request import BatchRequest
from .batch_response_body import BatchResponseBody
from .batch_update import BatchUpdate
from .change_page import ChangePage
from .changed_list import ChangedList
from .changed_task import ChangedTask
from .created_api_key import CreatedApiKey
from .credential import Credential
from .credential_kind import CredentialKind
from .field_error import FieldError
from .health import Health
from .key_list import KeyList
from .key_request import KeyRequest
from .label_count import LabelCount
from .label_list import LabelList
from .list_input import ListInput
from .list_page import ListPage
from .list_patch import ListPatch
from .list_tombstone import ListTombstone
from .me import Me
from .member import Member
from .member_list import MemberList
from .move_after import MoveAfter
from .move_before import MoveBefore
from .move_last import MoveLast
from .owner_list import OwnerList
from .owner_request import OwnerRequest
from .problem import Problem
from .role import Role
from .role_input import RoleInput
from .scope import Scope
from .sort import Sort
from .task import Task
from .task_input import TaskInput
from .task_list import TaskList
from .task_page import TaskPage
from .task_patch import TaskPatch
from .tombstone import Tombstone

__all__ = (
    "Account",
    "ApiKey",
    "BatchCreate",
    "BatchDelete",
    "BatchItemResult",
    "BatchOperationBatchCreate",
    "BatchOperationBatchCreateOp",
    "BatchOperationBatchDelete",
    "BatchOperationBatchDeleteOp",
    "BatchOperationBatchUpdate",
    "BatchOperationBatchUpdateOp",
    "BatchRequest",
    "BatchResponseBody",
    "BatchUpdate",
    "ChangedList",
    "ChangedTask",
    "ChangePage",
    "CreatedApiKey",
    "Credential",
    "CredentialKind",
    "FieldError",
    "Health",
    "KeyList",
    "KeyRequest",
    "LabelCount",
    "LabelList",
    "ListInput",
    "ListPage",
    "ListPatch",
    "ListTombstone",
    "Me",
    "Member",
    "MemberList",
    "MoveAfter",
    "MoveBefore",
    "MoveLast",
    "OwnerList",
    "OwnerRequest",
    "Problem",
    "Role",
    "RoleInput",
    "Scope",
    "Sort",
    "Task",
    "TaskInput",
    "TaskList",
    "TaskPage",
    "TaskPatch",
    "Tombstone",
)
