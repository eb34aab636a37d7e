"""/staff/intake · 代企业登记诉求."""

from __future__ import annotations

import reflex as rx

from portal.models.enums import INDUSTRIES, STAFF_INTAKE_CHANNELS, DemandKind, EnterpriseScale
from portal.pages.classes.similar import similar_panel, typed_title
from portal.pages.components.forms import phone_field, select_field, text_field, textarea_field
from portal.pages.components.layout import card, staff_page
from portal.pages.components.widgets import file_picker, loading_or
from portal.pages.enterprises.picker import enterprise_picker
from portal.state.enterprises.intake import IntakeState as S


def new_enterprise_fields(errors, towns, prefix: str = "") -> list[rx.Component]:
    """企业名称, 统一社会信用代码, 所属镇街, 所属行业, 企业规模 (新增企业, here and on 企业台账)."""
    return [
        text_field("企业名称", prefix + "name", errors=errors, max_length=100),
        text_field(
            "统一社会信用代码", prefix + "credit_code", errors=errors, max_length=18, hint="18位,按GB 32100校验"
        ),
        select_field("所属镇街", prefix + "town_unit_id", towns, errors=errors),
        select_field("所属行业", prefix + "industry", [(i, i) for i in INDUSTRIES], errors=errors),
        select_field("企业规模", prefix + "scale", [(s.value, s.value) for s in EnterpriseScale], errors=errors),
    ]


def _enterprise_part() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.new_enterprise,
            rx.vstack(
                rx.grid(
                    *new_enterprise_fields(S.errors, S.towns, "new_"),
                    columns=rx.breakpoints(initial="1", sm="2", md="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.text("新企业无需账号;企业日后以同一统一社会信用代码注册时自动关联。", size="1", color_scheme="gray"),
                rx.button(
                    "改为查找企业", type="button", size="1", variant="soft", on_click=S.set_new_enterprise(False)
                ),
                width="100%",
                spacing="2",
            ),
            rx.vstack(
                enterprise_picker(S),
                rx.button("新增企业", type="button", size="1", variant="soft", on_click=S.set_new_enterprise(True)),
                width="100%",
                spacing="2",
            ),
        ),
        width="100%",
    )


def _form() -> rx.Component:
    errors = S.errors
    return rx.form(
        rx.vstack(
            select_field("来源渠道", "channel", [(c.value, c.value) for c in STAFF_INTAKE_CHANNELS], errors=errors),
            _enterprise_part(),
            rx.grid(
                text_field("联系人", "contact_name", errors=errors, max_length=50),
                phone_field("联系电话", "contact_phone", errors=errors, max_length=30),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.grid(
                select_field("诉求类型", "kind", [(k.value, k.value) for k in DemandKind], errors=errors),
                select_field(
                    "诉求事项", "topic_id", S.topics, errors=errors, on_change=lambda v: S.note_typed("topic_id", v)
                ),
                select_field(
                    "建议解决部门", "suggested_unit_id", S.units, errors=errors, placeholder="不确定(由推进中心分派)"
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            typed_title(S, errors),
            textarea_field(
                "诉求内容",
                "content",
                errors=errors,
                max_length=2000,
                rows="6",
                on_blur=lambda v: S.note_typed("content", v),
            ),
            similar_panel(S, may_follow=False),
            file_picker(S, "intake_files"),
            rx.button("登记诉求", type="submit", size="3"),
            spacing="4",
            width="100%",
        ),
        key=S.form_key.to_string(),
        on_submit=S.register,
        reset_on_submit=False,
    )


def intake_page() -> rx.Component:
    return staff_page(
        "代企业登记诉求",
        card(
            rx.text(
                "服务热线、办不成事窗口、走访征询、座谈会、政企茶话会收集的诉求,由工作人员代企业登记,进入受理派单流程;"
                "企业已有账号的,会收到站内消息并可在“我的诉求”中查看。办不成事窗口的诉求派单后3个工作日内反馈。",
                size="2",
                color_scheme="gray",
                margin_bottom="12px",
            ),
            loading_or(
                S.loaded,
                rx.cond(S.allowed, _form(), rx.text("只有推进中心、镇街和兜底办可以代企业登记诉求。", size="2")),
            ),
        ),
    )
