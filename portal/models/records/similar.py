"""Records of similar demands (issue #26): what the 类似诉求 panel and 我关注的诉求 show.

Another enterprise's demand is shown only by what anyone may know of it: its 诉求事项, status and public
progress (the last public step's name and date). Never its title, text, enterprise, contact or code."""

from __future__ import annotations

from typing import TypedDict


class SimilarDemand(TypedDict):
    key: str  # the position in the panel; the demand's id stays on the server
    mine: bool  # the viewer may open it (its own demand, or for staff one their role may see)
    code: str  # "" unless ``mine``
    title: str  # "" unless ``mine``
    link: str  # "" unless ``mine``
    topic: str
    status: str
    progress: str  # the last public step, e.g. "派单"
    progress_at: str  # its local time
    same_town: bool
    likeness: str  # 高度相似 | 相似
    followed: bool  # the viewing enterprise already follows it


class FollowedDemand(TypedDict):
    id: int  # the follow's id (the viewer's own row)
    topic: str
    status: str
    progress: str
    progress_at: str
    followed_at: str
