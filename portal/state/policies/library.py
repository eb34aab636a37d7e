"""/policies and /policies/[policy_id]: the public policy library (no login needed)."""

from __future__ import annotations

import json

import reflex as rx

from portal.models.records.policies import PolicyFacets, PolicyFile, PolicyLink, PolicyRow
from portal.services.base.errors import ServiceError
from portal.services.base.paging import page_number
from portal.services.policies import library as policies
from portal.state.base import PageState, checked, text_of

FILTER_FIELDS = ("query", "issuer", "industry", "scale", "topic")
_NO_FACETS = PolicyFacets(issuers=[], industries=[], scales=[], topics=[])


class PolicySearchState(PageState):
    rows: list[PolicyRow] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    suggestions: list[str] = []
    facets: PolicyFacets = dict(_NO_FACETS)
    searched_for: str = ""
    loaded: bool = False
    _filters: dict = {}

    def _run(self) -> None:
        result = policies.search_policies(**self._filters, page=self.page)
        self.rows, self.total, self.pages, self.page = result["rows"], result["total"], result["pages"], result["page"]
        self.suggestions = result["suggestions"]
        self.searched_for = self._filters.get("query", "")
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: the filter choices and the newest policies in force."""
        self.facets = policies.facets()
        self._filters, self.page = {}, 1
        self._run()

    @rx.event
    def search(self, form: dict):
        """检索 with the keywords and filters of the form."""
        self._filters = {key: text_of(form, key)[:100] for key in FILTER_FIELDS}
        self._filters["include_expired"] = checked(form, "include_expired")
        self.page = 1
        self._run()

    @rx.event
    def search_word(self, word: str):
        """One of the suggested words, when nothing matched."""
        if isinstance(word, str) and word in policies.SUGGESTED_WORDS:
            self._filters, self.page = {"query": word}, 1
            self._run()

    @rx.event
    def goto_page(self, page: int):
        """上一页 / 下一页."""
        self.page = page_number(page)
        self._run()


class PolicyDetailState(PageState):
    policy: dict[str, str] = {}
    related: list[PolicyLink] = []
    files: list[PolicyFile] = []
    not_found: bool = False
    loaded: bool = False

    @rx.event
    def load(self):
        """on_load: the policy named in the URL; the browser tab shows its title."""
        if self.loaded:
            self.loaded = False
            yield
        raw_id = str(self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]
        try:
            detail = policies.policy_detail(policy_id=raw_id)
        except ServiceError:
            self.policy, self.related, self.files, self.not_found, self.loaded = {}, [], [], True, True
            return
        self.policy = {key: str(value) for key, value in detail.items()}
        self.related = policies.related_policies(policy_id=detail["id"])
        self.files = policies.policy_files(policy_id=detail["id"])
        self.not_found, self.loaded = False, True
        yield rx.call_script(f"document.title = {json.dumps(detail['title'] + ' - 惠企政策一站查')}")
