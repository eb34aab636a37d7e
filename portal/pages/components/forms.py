"""Form fields with a real <label for> so people and tests find inputs by their Chinese names."""

from __future__ import annotations

import reflex as rx

from portal.core.dates import DATE_HINT
from portal.models.enums import SUB_SCORES

# A checkbox with its words, the words at the page's text size (which 长者模式 scales).
CHECK_LABEL = {"display": "inline-flex", "alignItems": "center", "fontSize": "var(--font-size-2)"}

_SELECT_STYLE = {
    "height": "var(--space-6)",
    "border": "1px solid var(--gray-7)",
    "border_radius": "var(--radius-2)",
    "padding_x": "8px",
    "background": "white",
    "width": "100%",
    "font_size": "var(--font-size-2)",
}


def _error(errors: rx.Var | None, name: str) -> rx.Component:
    if errors is None:
        return rx.fragment()
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color="var(--red-11)", size="1", role="alert", id=f"{name}-error"),
        rx.fragment(),
    )


def _input_extras(max_length: int | None, on_blur) -> dict:
    extra: dict = {"max_length": max_length} if max_length else {}
    if on_blur is not None:
        extra["on_blur"] = on_blur
    return extra


def text_field(
    label: str,
    name: str,
    *,
    errors: rx.Var | None = None,
    type: str = "text",
    placeholder: str = "",
    default_value: str | rx.Var = "",
    required: bool = False,
    max_length: int | None = None,
    hint: str = "",
    on_blur=None,
    keyboard: str = "",
    autofill: str = "",
) -> rx.Component:
    """A labelled input. ``keyboard``: the inputmode a phone opens (``tel``, ``numeric``, ``email``);
    ``autofill``: the autocomplete token (``username``, ``current-password``, ``tel`` …)."""
    field_id = f"f-{name}"
    extra = _input_extras(max_length, on_blur)
    if keyboard:
        extra["input_mode"] = keyboard
    if autofill:
        extra["auto_complete"] = autofill
    if hint:
        extra["aria_describedby"] = f"{name}-hint"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
        rx.input(
            id=field_id,
            name=name,
            type=type,
            placeholder=placeholder,
            default_value=default_value,
            required=required,
            width="100%",
            **extra,
        ),
        rx.text(hint, size="1", color_scheme="gray", id=f"{name}-hint") if hint else rx.fragment(),
        _error(errors, name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def phone_field(label: str, name: str, **props) -> rx.Component:
    """A phone number: a phone opens its number pad and offers the saved number."""
    return text_field(label, name, keyboard="tel", autofill="tel", **props)


def password_field(label: str, name: str, *, new: bool = False, **props) -> rx.Component:
    """A password box that password managers fill (``new``: they offer to generate and save one)."""
    return text_field(label, name, type="password", autofill="new-password" if new else "current-password", **props)


def date_field(
    label: str, name: str, *, errors: rx.Var | None = None, required: bool = False, default_value: str | rx.Var = ""
) -> rx.Component:
    """A date typed as 年-月-日 (``portal.core.dates.parse_day`` reads it). Not ``type=date``: the browser's
    picker follows the system language (mm/dd/yyyy on an English system) and is awkward by keyboard."""
    return text_field(
        label,
        name,
        errors=errors,
        placeholder="年-月-日",
        required=required,
        max_length=20,
        hint=DATE_HINT,
        default_value=default_value,
    )


def choice_cards(legend: str, name: str, options: list[str], *, errors: rx.Var | None = None) -> rx.Component:
    """One large, labelled card per choice (native radio buttons: arrow keys, Space and touch work as
    everywhere; drawn by assets/a11y.css ``.rating-choices``). Used for the 好差评 rating."""
    return rx.el.fieldset(
        rx.el.legend(legend),
        *[
            rx.el.label(
                rx.el.input(type="radio", name=name, value=option), rx.el.span(option), class_name="rating-choice"
            )
            for option in options
        ],
        _error(errors, name),
        class_name="rating-choices",
    )


def textarea_field(
    label: str,
    name: str,
    *,
    errors: rx.Var | None = None,
    placeholder: str = "",
    rows: str = "5",
    max_length: int | None = None,
    default_value: str | rx.Var = "",
    on_blur=None,
) -> rx.Component:
    field_id = f"f-{name}"
    extra = _input_extras(max_length, on_blur)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
        rx.text_area(
            id=field_id,
            name=name,
            placeholder=placeholder,
            rows=rows,
            width="100%",
            default_value=default_value,
            **extra,
        ),
        _error(errors, name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def select_field(
    label: str,
    name: str,
    options: list[tuple[str, str]] | rx.Var,
    *,
    errors: rx.Var | None = None,
    placeholder: str = "请选择",
    default_value: str | rx.Var = "",
    value_key: str = "id",
    label_key: str = "name",
    on_change=None,
) -> rx.Component:
    """A native <select>: accessible, works at phone width, and submits with the form.

    ``options`` is either literal (value, label) pairs or a Var list of dicts with ``value_key``/``label_key``.
    """
    field_id = f"f-{name}"
    if isinstance(options, rx.Var):
        option_nodes = rx.foreach(options, lambda o: rx.el.option(o[label_key], value=o[value_key]))
    else:
        option_nodes = rx.fragment(*[rx.el.option(text, value=value) for value, text in options])
    extra = {"on_change": on_change} if on_change is not None else {}
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": 500, "fontSize": "var(--font-size-2)"}),
        rx.el.select(
            rx.el.option(placeholder, value=""),
            option_nodes,
            id=field_id,
            name=name,
            default_value=default_value,
            style=_SELECT_STYLE,
            **extra,
        ),
        _error(errors, name),
        spacing="1",
        width="100%",
        align="stretch",
    )


def field_grid(*children: rx.Component) -> rx.Component:
    """A form's fields in one column on a phone, two on a tablet and three on a desktop."""
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%")


_SCORES = [(str(n), f"{n}分") for n in range(5, 0, -1)]


def score_fields(errors: rx.Var | None = None) -> rx.Component:
    """The optional 好差评 sub-scores (办理时效, 办理结果, 服务态度), 1–5 each."""
    return field_grid(
        *[
            select_field(f"{label}评分(可选)", key, _SCORES, errors=errors, placeholder="不评分")
            for key, label in SUB_SCORES.items()
        ]
    )
