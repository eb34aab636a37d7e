"""每月一题: the staff page (/staff/monthly: the top classes, 新增每月一题, 新增任务, 发布, 更新进度) and the
public page (/monthly)."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import Role, UnitKind
from portal.models.records.classes import PublicTheme, ThemeCandidate
from portal.models.records.common import UnitOption
from portal.services.accounts.actor import Actor
from portal.services.classes import monthly
from portal.services.demands import form_options
from portal.state.auth import AuthState
from portal.state.base import PageState, text_of


class MonthlyAdminState(PageState):
    themes: list[PublicTheme] = []
    candidates: list[ThemeCandidate] = []
    units: list[UnitOption] = []
    mine: list[int] = []  # the tasks the viewer may report progress on
    loaded: bool = False
    may_plan: bool = False
    form_version: int = 0

    def _refresh(self, actor: Actor) -> None:
        self.themes = monthly.staff_themes(actor=actor)
        tasks = [t for theme in self.themes for t in theme["tasks"]]
        if actor.role == Role.DISPATCHER:
            self.mine = [t["id"] for t in tasks]
        else:
            self.mine = [t["id"] for t in tasks if actor.role == Role.HANDLER and t["unit_id"] == actor.unit_id]

    @rx.event
    def load(self):
        """on_load: every theme (drafts too), and for the centre the five largest classes and the units."""
        self.loaded, self.errors, self.themes, self.mine = False, {}, [], []
        actor = self._actor_with_role(*monthly.READERS)
        self.may_plan = actor is not None and actor.role == Role.DISPATCHER
        self.candidates = monthly.theme_candidates(actor=actor) if self.may_plan else []
        self.units = [u for u in form_options.unit_options() if u["kind"] != UnitKind.CENTER] if self.may_plan else []
        if actor is not None:
            self._refresh(actor)
        self.loaded = True

    def _after(self, actor: Actor) -> None:
        self.form_version += 1
        self._refresh(actor)

    @rx.event
    def create(self, form: dict):
        """新增每月一题: month, theme and 2–3 problems (each from a class or written)."""
        values = monthly.ThemeForm(
            month=text_of(form, "month"),
            title=text_of(form, "title"),
            summary=text_of(form, "summary"),
            problems=[text_of(form, f"problem_{i}") for i in range(3)],
            classes=[text_of(form, f"class_{i}") for i in range(3)],
        )
        return self._act(
            lambda a: monthly.create_theme(actor=a, form=values), "每月一题已保存", Role.DISPATCHER, after=self._after
        )

    @rx.event
    def add_task(self, form: dict):
        """新增任务 under one of a theme's problems."""
        values = monthly.TaskForm(
            problem_id=text_of(form, "problem_id"),
            unit_id=text_of(form, "unit_id"),
            title=text_of(form, "task_title"),
            due_on=text_of(form, "due_on"),
        )
        theme_id = text_of(form, "theme_id")
        return self._act(
            lambda a: monthly.add_task(actor=a, theme_id=theme_id, form=values),
            "任务已分配",
            Role.DISPATCHER,
            after=self._after,
        )

    @rx.event
    def publish(self, theme_id: int):
        """发布: the theme appears on /monthly."""
        return self._act(
            lambda a: monthly.publish_theme(actor=a, theme_id=theme_id), "已发布", Role.DISPATCHER, after=self._after
        )

    @rx.event
    def report(self, form: dict):
        """更新进度 of one task (its unit, or the centre)."""
        task_id, progress, note = text_of(form, "task_id"), text_of(form, "progress"), text_of(form, "note")
        return self._act(
            lambda a: monthly.report_progress(actor=a, task_id=task_id, progress=progress, note=note),
            "进度已更新",
            Role.HANDLER,
            Role.DISPATCHER,
            after=self._after,
        )


class MonthlyPublicState(AuthState):
    """/monthly for anyone: the published months, newest first."""

    themes: list[PublicTheme] = []
    loaded: bool = False

    @rx.event
    def load(self):
        self.loaded = False
        self.themes = monthly.public_themes()
        self.loaded = True
