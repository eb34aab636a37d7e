"""All tables of the domain (DESIGN §2–§6).

Conventions: integer surrogate keys; every instant is an aware UTC ``UTCDateTime``; status columns hold
the Chinese words of ``portal.models.enums``; rows that several people may change at once carry a
``version`` used for compare-and-set updates; rows the scheduler sweeps carry an indexed
``next_check_at``. These classes never leave the server: states expose the records of ``portal.models.records``.

The tables live in modules by area; importing this package registers all of them on
``SQLModel.metadata`` (Alembic relies on it) and every caller imports them from here.
"""

from __future__ import annotations

from portal.models.tables.classes import (
    GroupingCursor,
    MonthlyMilestone,
    MonthlyProblem,
    MonthlyTask,
    MonthlyTheme,
    ProblemClass,
    ProblemClassMember,
)
from portal.models.tables.collection import (
    CollectedProblem,
    ConsultReminder,
    Meeting,
    MeetingEnterprise,
    MeetingUnit,
    TrackLookup,
    Visit,
)
from portal.models.tables.delivery import DeliveryPreference, OutboxMessage
from portal.models.tables.demands import (
    Attachment,
    Demand,
    DemandCodeSequence,
    ExtensionRequest,
    Notification,
    Rating,
    RatingAppeal,
    Rectification,
    RevisitTask,
    TimelineEvent,
    Verification,
    WorkOrder,
)
from portal.models.tables.follows import DemandFollow
from portal.models.tables.open311 import ApiKey, ApiRequest
from portal.models.tables.organisation import (
    AdmittedCreditCode,
    AuditEntry,
    CalendarYear,
    CatalogueChange,
    DispatchRule,
    Enterprise,
    Holiday,
    Throttle,
    TimeLimitRule,
    Topic,
    Unit,
    User,
    UserSession,
)
from portal.models.tables.oversight import (
    BulletinSnapshot,
    Card,
    DemandPolicy,
    JobRun,
    LedgerExport,
    Policy,
    PolicyTag,
    RuleSetting,
    SupervisionNotice,
)
from portal.models.tables.rollup import FigureDay, FigureDirty, RatingDay

__all__ = [
    "ApiKey",
    "ApiRequest",
    "GroupingCursor",
    "MonthlyMilestone",
    "MonthlyProblem",
    "MonthlyTask",
    "MonthlyTheme",
    "ProblemClass",
    "ProblemClassMember",
    "FigureDay",
    "FigureDirty",
    "RatingDay",
    "AdmittedCreditCode",
    "AuditEntry",
    "CatalogueChange",
    "CollectedProblem",
    "ConsultReminder",
    "Meeting",
    "MeetingEnterprise",
    "MeetingUnit",
    "TrackLookup",
    "Attachment",
    "BulletinSnapshot",
    "CalendarYear",
    "Card",
    "Demand",
    "DemandCodeSequence",
    "DemandFollow",
    "DemandPolicy",
    "DispatchRule",
    "Enterprise",
    "ExtensionRequest",
    "Holiday",
    "JobRun",
    "LedgerExport",
    "RuleSetting",
    "Throttle",
    "Notification",
    "Policy",
    "PolicyTag",
    "Rating",
    "RatingAppeal",
    "Rectification",
    "RevisitTask",
    "SupervisionNotice",
    "TimeLimitRule",
    "TimelineEvent",
    "Topic",
    "Unit",
    "User",
    "UserSession",
    "Verification",
    "Visit",
    "WorkOrder",
    "DeliveryPreference",
    "OutboxMessage",
]
