from wuye.billing.models.bills import Bill, BillAdjustment, BillEvent, BillingRun, BillingSchedule
from wuye.billing.models.fees import FeeAssignment, FeeItem, FeeStandard, LateFeeRule
from wuye.billing.models.payments import (
    CashierDayClose,
    Payment,
    PaymentAllocation,
    PaymentTender,
    PrepaidAccount,
    PrepaidMovement,
)

__all__ = [
    "Bill",
    "BillAdjustment",
    "BillEvent",
    "BillingRun",
    "BillingSchedule",
    "CashierDayClose",
    "FeeAssignment",
    "FeeItem",
    "FeeStandard",
    "LateFeeRule",
    "Payment",
    "PaymentAllocation",
    "PaymentTender",
    "PrepaidAccount",
    "PrepaidMovement",
]
