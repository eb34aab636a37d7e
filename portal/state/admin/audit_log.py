"""/admin 审计日志: every recorded change, filterable by section, person and date (admins only)."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role
from portal.models.records.admin import AuditRow
from portal.services.base import audit
from portal.services.base.errors import ServiceError
from portal.state.base import PageState, text_of


class AuditLogState(PageState):
    entries: list[AuditRow] = []
    sections: list[str] = []

    @rx.var
    def section_options(self) -> list[dict[str, str]]:
        return [{"id": name, "name": name} for name in self.sections]

    @rx.event
    def load(self):
        """on_load of /admin: the newest entries and the sections to filter by."""
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            self.entries, self.sections = [], []
            return
        self.entries = audit.list_entries(actor=actor)
        self.sections = audit.audit_sections()

    @rx.event
    def filter(self, form: dict):
        """筛选 by 分类, 操作人 and 日期."""
        actor = self._actor_with_role(Role.ADMIN)
        if actor is None:
            return rx.toast.error("无权执行此操作")
        try:
            self.entries = audit.list_entries(
                actor=actor,
                section=text_of(form, "section"),
                who=text_of(form, "who"),
                day_from=text_of(form, "audit_from"),
                day_to=text_of(form, "audit_to"),
            )
        except ServiceError as exc:
            return self._fail(exc)
        return None
