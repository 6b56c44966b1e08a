""" Contains all the data models used in inputs/outputs """

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
from .changed_task import ChangedTask
from .field_error import FieldError
from .health import Health
from .label_count import LabelCount
from .label_list import LabelList
from .move_after import MoveAfter
from .move_before import MoveBefore
from .move_last import MoveLast
from .problem import Problem
from .sort import Sort
from .task import Task
from .task_input import TaskInput
from .task_page import TaskPage
from .task_patch import TaskPatch
from .tombstone import Tombstone

__all__ = (
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
    "ChangedTask",
    "ChangePage",
    "FieldError",
    "Health",
    "LabelCount",
    "LabelList",
    "MoveAfter",
    "MoveBefore",
    "MoveLast",
    "Problem",
    "Sort",
    "Task",
    "TaskInput",
    "TaskPage",
    "TaskPatch",
    "Tombstone",
)
