"""/my/demands/[id] and /staff/demands/[id]: one demand as its viewer may see it. The actions live in
one state per role (``portal.state.demands.actions``) that fetch this state and act on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from portal.core.ids import parse_id
from portal.models.enums import DemandAction, Role
from portal.models.records.demands import (
    AttachmentRow,
    CitedPolicy,
    DemandInfo,
    DispatchSuggestion,
    ExtensionCard,
    KeywordSuggestion,
    OrderCard,
    RatingRow,
    TimelineRow,
    UnitChoice,
    VerificationInfo,
)
from portal.services.accounts.actor import Actor
from portal.services.admin import catalogue
from portal.services.base.errors import ServiceError
from portal.services.demands import detail as demand_detail
from portal.services.demands import form_options
from portal.state.base import PageState
from portal.state.uploads import StagedUploadsMixin


def _id_in_path(path: str) -> int:
    return parse_id(path.rstrip("/").rsplit("/", 1)[-1]) or 0


class DemandDetailState(StagedUploadsMixin, PageState):
    demand: DemandInfo = {}
    timeline: list[TimelineRow] = []
    orders: list[OrderCard] = []
    attachments: list[AttachmentRow] = []
    ratings: list[RatingRow] = []
    extensions: list[ExtensionCard] = []
    verification: VerificationInfo = {}
    policies: list[CitedPolicy] = []
    actions: list[str] = []
    not_found: bool = False
    loaded: bool = False  # False while a demand is being fetched: the page shows 加载中, not the last one
    units: list[UnitChoice] = []
    suggestion: DispatchSuggestion = {}
    keyword_suggestion: KeywordSuggestion = {}  # another topic whose keywords fit the text better
    catalogue_version: int = 0  # the 派单目录 version the suggestions come from, sent back on 派单
    dispatch_form_key: int = 0  # bumped when a suggestion is taken, so the form shows it
    _demand_id: int = 0
    _my_order_id: int = 0
    _pending_extension_id: int = 0
    _revisit_task_id: int = 0

    def _uploader_roles(self) -> tuple[str, ...]:
        return (Role.HANDLER,)  # the reply's files and the review form

    def _clear(self) -> None:
        self.demand, self.timeline, self.orders, self.attachments, self.ratings = {}, [], [], [], []
        self.extensions, self.verification, self.actions, self.units, self.suggestion = [], {}, [], [], {}
        self.policies, self.keyword_suggestion = [], {}
        self._my_order_id = self._pending_extension_id = self._revisit_task_id = 0

    def _refresh(self, actor: Actor) -> None:
        try:
            detail = demand_detail.demand_detail(actor=actor, demand_id=self._demand_id)
        except ServiceError:
            self.not_found = True
            self._clear()
            return
        self.not_found = False
        self.demand, self.timeline, self.orders = detail["demand"], detail["timeline"], detail["orders"]
        self.attachments, self.ratings, self.extensions = detail["attachments"], detail["ratings"], detail["extensions"]
        self.verification, self.actions, self.policies = detail["verification"], detail["actions"], detail["policies"]
        self._my_order_id, self._pending_extension_id = detail["my_order_id"], detail["pending_extension_id"]
        self._revisit_task_id = detail["revisit_task_id"]

    def _prepare_dispatch_form(self, actor: Actor) -> None:
        """The catalogue's suggestion for the chosen topic, preselected (the dispatcher may change all of
        it), and the keyword suggestion when another topic fits the text better."""
        self.suggestion, self.keyword_suggestion, self.catalogue_version = catalogue.dispatch_suggestions(
            actor=actor, demand_id=self._demand_id
        )
        self._offer_units()

    def _offer_units(self) -> None:
        suggested_co = set(self.suggestion["co"].split(","))
        units = form_options.form_options()["units"]
        self.units = [UnitChoice(**u, suggested_co=u["id"] in suggested_co) for u in units]

    @rx.event
    def take_keyword_suggestion(self):
        """采用关键词建议: the other topic's routing into the dispatch form."""
        if not self.keyword_suggestion:
            return
        k = self.keyword_suggestion
        self.suggestion = DispatchSuggestion(lead=k["lead"], co=k["co"], level=k["level"])
        self._offer_units()
        self.dispatch_form_key += 1

    def _after_action(self, actor: Actor) -> None:
        self._clear_staged()
        self._refresh(actor)

    @rx.event
    def load(self):
        """on_load: the demand named in the URL, or 诉求不存在或无权查看."""
        if self.loaded:
            self.loaded = False
            yield  # the previous demand leaves the screen before this one is fetched
        actor = self._actor()
        if actor is None:
            self._clear()
            self.loaded = True
            return
        self._demand_id = _id_in_path(str(self.router.url.path or ""))
        self.errors = {}
        self._clear_staged()
        self._refresh(actor)
        if DemandAction.DISPATCH in self.actions:
            self._prepare_dispatch_form(actor)
        self.loaded = True


@dataclass(frozen=True)
class DemandTarget:
    """What the demand page's actions act on: the ids the server loaded for this viewer with the page
    (never sent by the client), and the files staged on the page."""

    demand_id: int
    my_order_id: int
    pending_extension_id: int
    revisit_task_id: int
    take_staged: Callable[[Actor], list]


def target_of(detail: DemandDetailState) -> DemandTarget:
    """The one way an action state learns what it acts on (``state.demands.actions``)."""
    return DemandTarget(
        demand_id=detail._demand_id,
        my_order_id=detail._my_order_id,
        pending_extension_id=detail._pending_extension_id,
        revisit_task_id=detail._revisit_task_id,
        take_staged=detail._take_staged,
    )
