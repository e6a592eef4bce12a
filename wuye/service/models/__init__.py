from wuye.service.models.config import Category, PriceItem, ServiceSettings, SlaRule, Team
from wuye.service.models.orders import (
    QuoteLine,
    ReturnVisit,
    SlaClock,
    WorkOrder,
    WorkOrderComment,
    WorkOrderPhoto,
)

__all__ = [
    "Category",
    "PriceItem",
    "QuoteLine",
    "ReturnVisit",
    "ServiceSettings",
    "SlaClock",
    "SlaRule",
    "Team",
    "WorkOrder",
    "WorkOrderComment",
    "WorkOrderPhoto",
]
