"""Command line: ``python -m portal.cli <command>``.

migrate                    alembic upgrade head
seed-demo [--if-empty]     load the demo world (refused when PORTAL_DEMO_MODE is off)
seed-reference             units, catalogue, time limits and the official holiday calendar only
create-user                make a staff account (prompts for nothing: all values are flags)
verify-timeline [--demand ID]   check the hash chain of one demand's timeline, or of all; exit 1 if broken
"""

from __future__ import annotations

import argparse
import sys

from portal.core.settings import PROJECT_ROOT, get_settings


def migrate() -> None:
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    command.upgrade(config, "head")


def run_migrate(_args: argparse.Namespace) -> int:
    migrate()
    return 0


def run_seed_demo(args: argparse.Namespace) -> int:
    from portal.seed import demo

    if not get_settings().demo_mode:
        print("演示模式已关闭(PORTAL_DEMO_MODE=0),不加载演示数据", file=sys.stderr)
        return 0 if args.if_empty else 2
    if args.if_empty and not demo.database_is_empty():
        print("数据库已有数据,跳过演示数据加载")
        return 0
    print("演示数据:", demo.seed_demo_world())
    return 0


def run_seed_reference(_args: argparse.Namespace) -> int:
    from portal.core.db import session_scope
    from portal.seed.demo import seed_reference_data

    with session_scope() as session:
        seed_reference_data(session)
    return 0


def run_create_user(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Unit
    from portal.services.errors import ValidationFailed
    from portal.services.staff_accounts import create_staff_user

    unit_id = None
    if args.unit:
        with session_scope() as session:
            unit_id = session.exec(select(Unit.id).where(Unit.name == args.unit)).first()
        if unit_id is None:
            print(f"找不到单位:{args.unit}", file=sys.stderr)
            return 2
    try:
        user_id = create_staff_user(
            actor=None,
            username=args.username,
            display_name=args.name,
            role=args.role,
            password=args.password,
            unit_id=unit_id,
        )
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"已创建用户 {args.username} (id={user_id})")
    return 0


def run_verify_timeline(args: argparse.Namespace) -> int:
    from portal.core.db import session_scope
    from portal.services import timeline

    if args.demand:
        with session_scope() as session:
            reports = [timeline.verify_demand(session, args.demand)]
    else:
        reports = timeline.verify_all()
    broken = [r for r in reports if not r.ok]
    for report in broken:
        print(f"诉求 {report.demand_id}: 第{report.broken_seq}条起链条断裂({report.reason})")
    print(f"已核验 {len(reports)} 个诉求的时间线,{len(broken)} 个异常")
    return 1 if broken else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate").set_defaults(run=run_migrate)
    seed = sub.add_parser("seed-demo")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no users yet")
    seed.set_defaults(run=run_seed_demo)
    sub.add_parser("seed-reference").set_defaults(run=run_seed_reference)
    user = sub.add_parser("create-user")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=["dispatcher", "handler", "leader", "admin"])
    user.add_argument("--unit", help="unit name (dispatcher, handler)")
    user.add_argument("--password", required=True)
    user.set_defaults(run=run_create_user)
    verify = sub.add_parser("verify-timeline")
    verify.add_argument("--demand", type=int, help="one demand id (default: all)")
    verify.set_defaults(run=run_verify_timeline)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
