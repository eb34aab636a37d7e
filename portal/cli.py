"""Command line: ``python -m portal.cli <command>``.

migrate                    alembic upgrade head
seed-demo [--if-empty]     load the demo world (refused when PORTAL_DEMO_MODE is off)
seed-reference             units, catalogue, time limits and the official holiday calendar only
create-admin               make an administrator (the first one, when demo mode is off)
create-user                make a staff account
    Both take the password from a prompt (asked twice), from one line on stdin (--password-stdin) or
    generate one and print it once (--generate-password); never from the command line, where it would
    stay in the shell history and the process list.
verify-timeline [--demand ID]   check the hash chain of one demand's timeline, or of all; exit 1 if broken
rotate-timeline-key        check every chain under the current key, then rehash all under a new one
                           (stop the portal and the scheduler first; README § 安全)
backup PATH [--without-key]     one archive: database dump, private files, timeline key (README § 备份与恢复)
restore PATH [--force]     restore an archive into an empty database (--force: over existing data), then
                           migrate to head; refuses a truncated or foreign archive and changes nothing
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


def read_password(args: argparse.Namespace) -> str | None:
    """The new account's password, by the means the flags chose; None when the prompts disagree."""
    import getpass

    if args.generate_password:
        from portal.core.security import generate_password

        return generate_password()
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码: ")
    if getpass.getpass("再次输入密码: ") != first:
        print("两次输入的密码不一致", file=sys.stderr)
        return None
    return first


def run_create_admin(args: argparse.Namespace) -> int:
    args.role, args.unit = "admin", None
    return run_create_user(args)


def run_create_user(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from portal.core.db import session_scope
    from portal.models.tables import Unit
    from portal.services.accounts.staff_accounts import create_staff_user
    from portal.services.base.errors import ValidationFailed

    password = read_password(args)
    if password is None:
        return 2
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
            password=password,
            unit_id=unit_id,
        )
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"已创建用户 {args.username} (id={user_id})")
    if args.generate_password:
        print(f"初始密码(只显示这一次,请妥善转交并尽快修改):{password}")
    return 0


def run_verify_timeline(args: argparse.Namespace) -> int:
    from portal.core.db import session_scope
    from portal.services.demands import timeline

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


def run_rotate_timeline_key(_args: argparse.Namespace) -> int:
    """Refuses when any chain is already broken (rehashing would hide the tampering). With the key in
    the key file: the new key goes to ``timeline.key.new`` first, the database is rehashed in one
    transaction, then the file replaces the old one; an interruption leaves either the old state or a
    ``.new`` file that matches the database. With PORTAL_TIMELINE_KEY: prints the new key to set."""
    import os

    from sqlmodel import select

    from portal.core import keys
    from portal.core.db import session_scope
    from portal.models.tables import TimelineEvent
    from portal.services.demands import timeline

    broken = [r for r in timeline.verify_all() if not r.ok]
    if broken:
        print(f"{len(broken)} 个诉求的时间线已断裂,先处理后再轮换密钥(verify-timeline 查看)", file=sys.stderr)
        return 1
    new_text = keys.new_key_text()
    from_env = bool(os.environ.get(keys.KEY_ENV))
    pending = keys.key_file().with_name(keys.KEY_FILE_NAME + ".new")
    if not from_env:
        pending.unlink(missing_ok=True)
        keys.write_key_file(pending, new_text)
    with session_scope() as session:
        ids = session.exec(select(TimelineEvent.demand_id).group_by(TimelineEvent.demand_id)).all()
        for demand_id in ids:
            timeline.rehash_demand(session, demand_id, new_text.encode("utf-8"))
    if from_env:
        print(f"已用新密钥重算 {len(ids)} 个诉求的时间线。请把 {keys.KEY_ENV} 改为下面的值再启动门户:")
        print(new_text)
    else:
        os.replace(pending, keys.key_file())
        print(f"已用新密钥重算 {len(ids)} 个诉求的时间线,新密钥已写入 {keys.key_file()}")
    keys.timeline_key.cache_clear()
    return 0


def run_export(args) -> int:
    """Write one queued 导出台账 file (the portal starts this in a child process)."""
    from portal.services.base.errors import ServiceError
    from portal.services.ledgers import exports

    try:
        record = exports.run_export_for_owner(args.export_id)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0 if record["status"] == exports.DONE else 1


def run_backup(args) -> int:
    from portal.services.base.errors import ServiceError
    from portal.services.operations.backup import write_backup

    try:
        manifest = write_backup(args.path, with_key=not args.without_key)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    files = sum(1 for name in manifest["members"] if name.startswith("files/"))
    key = "含时间线密钥,请妥善保管" if not args.without_key else "不含时间线密钥"
    print(f"已备份到 {args.path}:{manifest['database']} 数据库(版本 {manifest['revision']}),{files} 个文件,{key}")
    return 0


def run_restore(args) -> int:
    from portal.services.base.errors import ServiceError
    from portal.services.operations.restore import restore_backup

    try:
        result = restore_backup(args.path, force=args.force, migrate=migrate)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"已恢复:数据库(备份时版本 {result['revision']},已迁移到最新),{result['files']} 个文件")
    if not result["key"]:
        print("备份不含时间线密钥:请放回原密钥,再运行 verify-timeline 核验", file=sys.stderr)
    elif result["key_from_environment"]:
        print("注意:已设置 PORTAL_TIMELINE_KEY,门户使用该值而不是恢复的密钥文件", file=sys.stderr)
    return 0


def _password_flags(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--generate-password", action="store_true", help="generate one and print it once")
    how.add_argument("--password-stdin", action="store_true", help="read it from one line on stdin")


def _parser() -> argparse.ArgumentParser:
    # No abbreviations: "--password" must not be read as "--password-stdin".
    parser = argparse.ArgumentParser(prog="portal", allow_abbrev=False)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate").set_defaults(run=run_migrate)
    seed = sub.add_parser("seed-demo")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no users yet")
    seed.set_defaults(run=run_seed_demo)
    sub.add_parser("seed-reference").set_defaults(run=run_seed_reference)
    admin = sub.add_parser("create-admin", allow_abbrev=False)
    admin.add_argument("--username", required=True)
    admin.add_argument("--name", default="系统管理员")
    _password_flags(admin)
    admin.set_defaults(run=run_create_admin)
    user = sub.add_parser("create-user", allow_abbrev=False)
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=["dispatcher", "handler", "leader", "admin"])
    user.add_argument("--unit", help="unit name (dispatcher, handler)")
    _password_flags(user)
    user.set_defaults(run=run_create_user)
    verify = sub.add_parser("verify-timeline")
    verify.add_argument("--demand", type=int, help="one demand id (default: all)")
    verify.set_defaults(run=run_verify_timeline)
    sub.add_parser("rotate-timeline-key").set_defaults(run=run_rotate_timeline_key)
    backup = sub.add_parser("backup", allow_abbrev=False)
    backup.add_argument("path")
    backup.add_argument("--without-key", action="store_true", help="leave the timeline key out of the archive")
    backup.set_defaults(run=run_backup)
    restore = sub.add_parser("restore", allow_abbrev=False)
    restore.add_argument("path")
    restore.add_argument("--force", action="store_true", help="overwrite a database that already holds data")
    restore.set_defaults(run=run_restore)
    export = sub.add_parser("run-export")
    export.add_argument("export_id", type=int)
    export.set_defaults(run=run_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    from portal.core.logs import configure_logging

    args = _parser().parse_args(argv)
    configure_logging()
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
