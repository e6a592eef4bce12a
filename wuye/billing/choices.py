from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeItemCategoryChoices(models.TextChoices):
    PROPERTY_FEE = "property_fee", _("Property fee")
    PARKING = "parking", _("Parking")
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    SHARED_UTILITY = "shared_utility", _("Shared utilities (公摊)")
    RENOVATION_DEPOSIT = "renovation_deposit", _("Renovation deposit")
    REPAIR = "repair", _("Paid repair")
    OTHER = "other", _("Other")


class PricingMethodChoices(models.TextChoices):
    BUILDING_AREA = "building_area", _("Building area x unit price")
    INNER_AREA = "inner_area", _("Inner area x unit price")
    FIXED_UNIT = "fixed_unit", _("Fixed per unit")
    FIXED_SPACE = "fixed_space", _("Fixed per parking space")
    METERED = "metered", _("Metered quantity x price")
    SHARED_AREA = "shared_area", _("Shared meter split by area")
    SHARED_HOUSEHOLD = "shared_household", _("Shared meter split by household")
    SHARED_WEIGHT = "shared_weight", _("Shared meter split by custom weights")


#: methods a billing run prices itself; metered and shared ones are billed from meter readings
RUN_METHODS = {
    PricingMethodChoices.BUILDING_AREA,
    PricingMethodChoices.INNER_AREA,
    PricingMethodChoices.FIXED_UNIT,
    PricingMethodChoices.FIXED_SPACE,
}
METER_METHODS = {
    PricingMethodChoices.METERED,
    PricingMethodChoices.SHARED_AREA,
    PricingMethodChoices.SHARED_HOUSEHOLD,
    PricingMethodChoices.SHARED_WEIGHT,
}


class BillingCycleChoices(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


class BillStatusChoices(models.TextChoices):
    OPEN = "open", _("Unpaid")
    PARTIAL = "partial", _("Partly paid")
    PAID = "paid", _("Paid")
    VOIDED = "voided", _("Voided")


BILL_STATUS_COLORS = {"open": "red", "partial": "orange", "paid": "green", "voided": "secondary"}


class BillSourceChoices(models.TextChoices):
    RUN = "run", _("Billing run")
    METER = "meter", _("Meter reading")
    ADHOC = "adhoc", _("One-off charge")
    OPENING = "opening", _("Opening balance")
    REPAIR = "repair", _("Paid repair")


class PaymentChannelChoices(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK_CARD = "bank_card", _("Bank card")
    TRANSFER = "transfer", _("Bank transfer")
    PREPAID = "prepaid", _("Prepaid balance")


class PaymentStatusChoices(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")
    REVERSAL = "reversal", _("Reversal")


class AllocationKindChoices(models.TextChoices):
    PRINCIPAL = "principal", _("Charge")
    LATE_FEE = "late_fee", _("Late fee")


class PrepaidMovementKindChoices(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    OVERPAYMENT = "overpayment", _("Overpayment")
    DEDUCTION = "deduction", _("Deduction for a bill")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")
    OPENING = "opening", _("Opening balance")


class AdjustmentKindChoices(models.TextChoices):
    DISCOUNT = "discount", _("Discount")
    REDUCTION = "reduction", _("Reduction")
    LATE_FEE_WAIVER = "late_fee_waiver", _("Late-fee waiver")


class BillEventKindChoices(models.TextChoices):
    """Events that interrupt the 3-year limitation period (民法典 195)."""

    DEMAND_DELIVERED = "demand_delivered", _("Written demand delivered")
    PART_PAYMENT = "part_payment", _("Part payment")
    REPAYMENT_AGREEMENT = "repayment_agreement", _("Repayment agreement")
