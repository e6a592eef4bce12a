"""Service-desk business steps. Views, the API, tasks and commands all call these functions.

Each ``do_<verb>_<noun>(*, actor, ...)`` runs in one transaction, locks the order row, moves the
status through ``WorkOrder.machine`` (a TransitionEvent per step), writes an audit row and sends
notifications after commit.
"""

from wuye.service.services.dispatch import (
    do_assign_workorder,
    do_decline_workorder,
    do_grab_workorder,
    do_transfer_workorder,
    pick_member,
)
from wuye.service.services.orders import (
    do_accept_workorder,
    do_add_comment,
    do_add_photo,
    do_arrive_workorder,
    do_cancel_workorder,
    do_complete_workorder,
    do_create_workorder,
    do_pause_workorder,
    do_resolve_workorder,
    do_resume_workorder,
    do_start_workorder,
)
from wuye.service.services.paid import (
    do_accept_quote,
    do_add_quote_line,
    do_decline_quote,
    do_propose_quote,
    do_remove_quote_line,
)
from wuye.service.services.setup import ensure_service_setup, seed_categories, seed_sla_rules
from wuye.service.services.visits import (
    auto_confirm_due,
    do_close_workorder,
    do_confirm_workorder,
    do_reopen_workorder,
    do_return_visit_workorder,
)

__all__ = [
    "auto_confirm_due",
    "do_accept_quote",
    "do_accept_workorder",
    "do_add_comment",
    "do_add_photo",
    "do_add_quote_line",
    "do_arrive_workorder",
    "do_assign_workorder",
    "do_cancel_workorder",
    "do_close_workorder",
    "do_complete_workorder",
    "do_confirm_workorder",
    "do_create_workorder",
    "do_decline_quote",
    "do_decline_workorder",
    "do_grab_workorder",
    "do_pause_workorder",
    "do_propose_quote",
    "do_remove_quote_line",
    "do_reopen_workorder",
    "do_resolve_workorder",
    "do_resume_workorder",
    "do_return_visit_workorder",
    "do_start_workorder",
    "do_transfer_workorder",
    "ensure_service_setup",
    "pick_member",
    "seed_categories",
    "seed_sla_rules",
]
