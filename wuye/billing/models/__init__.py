from wuye.billing.models.bills import Bill, BillAdjustment, BillEvent, BillingRun, BillingSchedule
from wuye.billing.models.dunning import DunningRecord
from wuye.billing.models.fees import FeeAssignment, FeeItem, FeeStandard, LateFeeRule
from wuye.billing.models.meters import Meter, MeterReading  # noqa: F401
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
    "DunningRecord",
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
