"""Billing services: the only code that creates or changes bills, payments and balances.

Each is a plain function with keyword-only ``actor=``, runs in one transaction and writes an
explicit audit row (``wuye.core.audit``). Views, API views, tasks and commands call these.
"""

from wuye.billing.services.charges import create_adhoc_charge
from wuye.billing.services.corrections import (
    do_apply_rule_discount,
    do_reduce_bill,
    do_reverse_payment,
    do_void_bill,
    do_waive_late_fee,
)
from wuye.billing.services.latefees import late_fee_for, late_fees_for
from wuye.billing.services.payments import (
    do_collect_payment,
    do_deduct_prepaid,
    do_deposit_prepaid,
    do_refund_prepaid,
)
from wuye.billing.services.runs import run_billing, run_billing_job

__all__ = [
    "create_adhoc_charge",
    "do_apply_rule_discount",
    "do_collect_payment",
    "do_deduct_prepaid",
    "do_deposit_prepaid",
    "do_reduce_bill",
    "do_refund_prepaid",
    "do_reverse_payment",
    "do_void_bill",
    "do_waive_late_fee",
    "late_fee_for",
    "late_fees_for",
    "run_billing",
    "run_billing_job",
]
