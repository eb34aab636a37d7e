"""通知设置 on /my/profile and /staff/profile: the person's e-mail and mobile number, which notices reach
them by 邮件 and 短信, and 免打扰时段. The form is drawn once the server has answered (its inputs start from
the saved values)."""

from __future__ import annotations

import reflex as rx

from portal.models.records.delivery import CategoryChoice
from portal.services.accounts.actor import Actor
from portal.services.base.outbox import CATEGORIES
from portal.services.delivery.preferences import my_preferences, save_preferences
from portal.state.base import PageState, checked, text_of

SAVED = "通知设置已保存"
CATEGORY_FIELD = "category_"
FIELDS = ("email", "phone", "quiet_start", "quiet_end")
INCOMPLETE = "表单内容不完整,请刷新页面后重试"


class DeliveryPreferencesState(PageState):
    loaded: bool = False
    email: str = ""
    phone: str = ""
    email_on: bool = True
    sms_on: bool = True
    quiet_start: str = ""
    quiet_end: str = ""
    categories: list[CategoryChoice] = []
    channels_note: str = ""
    form_key: int = 0  # redraws the form with the saved values

    def _show(self, actor: Actor) -> None:
        mine = my_preferences(actor=actor)
        self.email, self.phone = mine["email"], mine["phone"]
        self.email_on, self.sms_on = mine["email_on"], mine["sms_on"]
        self.quiet_start, self.quiet_end = mine["quiet_start"], mine["quiet_end"]
        self.categories, self.channels_note = mine["categories"], mine["channels_note"]
        self.form_key += 1
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: the viewer's own settings (nothing for a visitor without a session)."""
        self.loaded, self.errors = False, {}
        if (actor := self._actor()) is not None:
            self._show(actor)

    @rx.event
    def save(self, form: dict):
        """保存通知设置: the service checks and normalises every field; the categories are read by name."""
        if not isinstance(form, dict) or not all(isinstance(form.get(f), str) for f in FIELDS):
            return rx.toast.error(INCOMPLETE)  # a missing field is not an emptied one: nothing is cleared
        chosen = [name for name in CATEGORIES if checked(form, CATEGORY_FIELD + name)]
        return self._act(
            lambda actor: save_preferences(
                actor=actor,
                email=text_of(form, "email"),
                phone=text_of(form, "phone"),
                email_on=checked(form, "email_on"),
                sms_on=checked(form, "sms_on"),
                categories=chosen,
                quiet_start=text_of(form, "quiet_start"),
                quiet_end=text_of(form, "quiet_end"),
            ),
            SAVED,
            after=self._show,
        )
