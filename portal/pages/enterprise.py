"""Enterprise area (/my/...)."""

from __future__ import annotations

import reflex as rx

from portal.pages.components.layout import enterprise_page, under_construction


def placeholder(title: str):
    def page() -> rx.Component:
        return enterprise_page(title, under_construction(title))

    page.__name__ = f"my_{abs(hash(title))}"
    return page
