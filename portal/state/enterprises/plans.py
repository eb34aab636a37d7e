"""/staff/plans: 需求计划台账 by 计划周期."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import PlanHorizon
from portal.models.records.collection import PlanRow
from portal.services.enterprises import plans
from portal.state.base import PageState
from portal.state.enterprises.collecting import READERS

ALL = "全部"
TABS = [ALL, *(h.value for h in PlanHorizon)]


class PlansState(PageState):
    rows: list[PlanRow] = []
    tab: str = ALL
    loaded: bool = False

    def _reload(self) -> None:
        actor = self._actor_with_role(*READERS)
        self.rows = plans.list_plans(actor=actor, horizon="" if self.tab == ALL else self.tab) if actor else []
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: every horizon."""
        self.tab, self.loaded = ALL, False
        self._reload()

    @rx.event
    def set_tab(self, tab: str):
        """A horizon's tab."""
        self.tab = tab if tab in TABS else ALL
        self._reload()
