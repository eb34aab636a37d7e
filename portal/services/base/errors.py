"""Errors raised by services. Messages are Chinese and meant to be shown as they are."""

from __future__ import annotations


class ServiceError(Exception):
    """Base: ``message`` is for the person; nothing has been written when it is raised."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """Bad input. ``errors`` maps a form field to the message to show beside it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values()), "输入有误"))
        self.errors = errors


class Forbidden(ServiceError):
    def __init__(self, message: str = "无权执行此操作"):
        super().__init__(message)


class NotFound(ServiceError):
    def __init__(self, message: str = "记录不存在或无权查看"):
        super().__init__(message)


class Conflict(ServiceError):
    """The record changed under us (another person acted first)."""

    def __init__(self, message: str = "该记录已被他人处理,请刷新后重试"):
        super().__init__(message)


class LoginFailed(ServiceError):
    pass
