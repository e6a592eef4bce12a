from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkOrderKindChoices(models.TextChoices):
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    CONSULTATION = "consultation", _("Consultation")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class RepairScopeChoices(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    COMMON = "common", _("Common area")


class WorkOrderSourceChoices(models.TextChoices):
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    PORTAL = "portal", _("Owner portal")
    APP = "app", _("App")
    PATROL = "patrol", _("Patrol")
    INSPECTION = "inspection", _("Inspection")
    DEVICE_ALARM = "device_alarm", _("Device alarm")


class PriorityChoices(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


PRIORITY_COLORS = {"emergency": "red", "urgent": "orange", "normal": "blue", "low": "secondary"}


class WorkOrderStatusChoices(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", pgettext_lazy("work order status", "Accepted")
    ON_SITE = "on_site", _("On site")
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CONFIRMED = "confirmed", _("Confirmed")
    VISITED = "visited", _("Return visit done")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


S = WorkOrderStatusChoices
STATUS_COLORS = {
    S.NEW: "red",
    S.ASSIGNED: "orange",
    S.ACCEPTED: "yellow",
    S.ON_SITE: "cyan",
    S.IN_PROGRESS: "blue",
    S.PAUSED: "purple",
    S.COMPLETED: "teal",
    S.CONFIRMED: "green",
    S.VISITED: "green",
    S.CLOSED: "secondary",
    S.CANCELLED: "secondary",
}

#: statuses in which someone still has to work on the order
OPEN_STATUSES = (S.NEW, S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS, S.PAUSED)
#: statuses that count towards an engineer's load
ACTIVE_STATUSES = (S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS, S.PAUSED)
#: work done, waiting for the reporter and customer service
DONE_STATUSES = (S.COMPLETED, S.CONFIRMED, S.VISITED, S.CLOSED)


class PauseReasonChoices(models.TextChoices):
    PARTS = "parts", _("Waiting for parts")
    OWNER = "owner", _("Waiting for the owner")
    THIRD_PARTY = "third_party", _("Waiting for a third party")
    APPROVAL = "approval", _("Waiting for approval or payment")
    OTHER = "other", _("Other")


class DepartmentChoices(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    ENGINEERING = "engineering", _("Engineering")
    SECURITY = "security", _("Order and security")
    CLEANING = "cleaning", _("Cleaning and greening")
    MANAGEMENT = "management", _("Project management")
    FINANCE = "finance", _("Finance")
    EXTERNAL = "external", _("External (developer, utility, supplier)")


class ComplaintCauseChoices(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    RESPONSE = "response", _("Slow response")
    QUALITY = "quality", _("Repair quality")
    FEES = "fees", _("Fees")
    ENVIRONMENT = "environment", _("Cleanliness and environment")
    SECURITY = "security", _("Security and order")
    PARKING = "parking", _("Parking")
    NOISE = "noise", _("Noise and neighbours")
    FACILITIES = "facilities", _("Facilities")
    CONSTRUCTION = "construction", _("Building quality (developer)")
    OTHER = "other", _("Other")


class DispatchModeChoices(models.TextChoices):
    MANUAL = "manual", _("Manual (a dispatcher assigns)")
    POOL = "pool", _("Grab pool (members take orders)")
    ROUND_ROBIN = "round_robin", _("Automatic: round robin")
    LEAST_LOADED = "least_loaded", _("Automatic: least loaded")


class DeadlineChoices(models.TextChoices):
    ACCEPT = "accept", _("Accept / answer")
    ARRIVE = "arrive", _("Arrive on site")
    COMPLETE = "complete", _("Complete")


class QuoteStatusChoices(models.TextChoices):
    NONE = "", _("No quote")
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class PriceItemKindChoices(models.TextChoices):
    LABOUR = "labour", _("Labour")
    MATERIAL = "material", _("Material")


class PhotoStageChoices(models.TextChoices):
    REPORT = "report", pgettext_lazy("photo stage", "Reported")
    BEFORE = "before", _("Before work")
    AFTER = "after", _("After work")


class VisitMethodChoices(models.TextChoices):
    PHONE = "phone", _("Phone")
    ON_SITE = "on_site", pgettext_lazy("return visit method", "On site")
    SMS = "sms", _("SMS")
    PORTAL = "portal", _("Owner portal")


class UnsatisfiedActionChoices(models.TextChoices):
    REOPEN = "reopen", _("Reopen the order")
    ESCALATE = "escalate", _("Escalate to the project manager")
