"""Take the documentation screenshots in Debian's Chromium.

Usage (from the repository root):
  .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Writes, at a 1280x900 viewport:
  registry-list.png, person-detail.png, person-form-errors.png, import-problems.png
  and the same four as *-large-contrast.png (largest text, high contrast).

Data: when the demo database var/canlian.sqlite3 exists (`make demo`), a copy of it is used,
so the screenshots show the synthetic demo registry and the demo database itself is not
touched (viewing a record writes an audit entry; the display preference is saved on the
account). Otherwise a temporary database gets the invented townships and a few persons,
created through the services. Either way the server runs in this process on a free port
of 127.0.0.1 and everything it writes is deleted afterwards.

Needs /usr/bin/chromium (or CANLIAN_CHROMIUM), the Python package playwright and built
assets (bash scripts/build-assets.sh).
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from canlian.lib import chromium

ROOT = Path(__file__).resolve().parent.parent
DEMO_DB = ROOT / "var" / "canlian.sqlite3"
SHOT_USER = "screenshots"  # an account made in the temporary copy only


def prepare_database(workdir: Path) -> bool:
    """Point Django at a throw-away database; return True when it is a copy of the demo."""
    target = workdir / "canlian.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
    if DEMO_DB.exists():
        # The backup API gives a consistent copy even while the demo server runs (WAL).
        source = sqlite3.connect(f"file:{DEMO_DB}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        return True
    from canlian.lib import keys

    os.environ["CANLIAN_FIELD_KEY"] = keys.generate_key()
    os.environ["CANLIAN_AUDIT_KEY"] = keys.generate_key()
    return False


def make_small_registry() -> None:
    """A few invented persons in 温县, created through the services like any clerk would."""
    from django.core.management import call_command

    from canlian.accounts import services as accounts
    from canlian.accounts.roles import Role
    from canlian.lib import idcard
    from canlian.people import services as people
    from canlian.people.models import StatusKind
    from canlian.places.loading import DEMO_FILE, load_places
    from canlian.places.models import Place

    call_command("migrate", verbosity=0)
    load_places(text=DEMO_FILE.read_text(encoding="utf-8"), invented=True)
    clerk = accounts.create_account(
        username="clerk-setup",
        password=os.urandom(16).hex(),
        role=Role.COUNTY_CLERK,
        place=Place.objects.get(code="410825000000"),
        acting_user=None,
        check_password=False,
    )
    villages = list(Place.objects.filter(code__startswith="410825", level=5).order_by("code")[:4])
    rows = [
        ("王建国", datetime.date(1958, 5, 17), 4, 2, "M"),
        ("李秀英", datetime.date(1947, 11, 2), 1, 1, "F"),
        ("张伟", datetime.date(1985, 3, 9), 2, 3, "M"),
        ("刘芳", datetime.date(2012, 7, 21), 5, 2, "F"),
        ("陈志强", datetime.date(1969, 1, 30), 6, 4, "M"),
        ("杨丽", datetime.date(1976, 8, 14), 3, 4, "F"),
    ]
    for n, (name, born, category, grade, sex) in enumerate(rows):
        sequence = 101 + 2 * n + (1 if sex == "M" else 0)
        data = people.PersonData(
            id_number=idcard.build(region_code="410825", birth_date=born, sequence=sequence),
            name=name,
            ethnicity="01",
            place_code=villages[n % len(villages)].code,
            category=category,
            grade=grade,
            certificate_issued_on=datetime.date(2019, 3, 1),
            phone="13800000000",
            guardian_name="刘建华" if born.year > 2006 or category in (5, 6) else "",
            guardian_relation="父亲" if born.year > 2006 or category in (5, 6) else "",
            guardian_phone="13900000000" if born.year > 2006 or category in (5, 6) else "",
        )
        person = people.create_person(data=data, acting_user=clerk)
        if n < 2:
            people.add_status_period(
                person=person,
                kind=StatusKind.DIBAO,
                start=datetime.date(2021, 1, 1),
                end=None,
                acting_user=clerk,
            )


def shot_account() -> tuple[str, str]:
    """A county clerk of 温县 with a password only this run knows (in the copy)."""
    from canlian.accounts import services as accounts
    from canlian.accounts.models import User
    from canlian.accounts.roles import Role
    from canlian.places.models import Place

    password = os.urandom(16).hex()
    user = User.objects.filter(username=SHOT_USER).first()
    if user is None:
        accounts.create_account(
            username=SHOT_USER,
            password=password,
            role=Role.COUNTY_CLERK,
            place=Place.objects.get(code="410825000000"),
            full_name="演示·温县残联",
            acting_user=None,
            check_password=False,
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    return SHOT_USER, password


def pick_person(username: str) -> Any:
    """A person with a status period and a guardian if there is one: the fullest record."""
    from canlian.accounts.models import User
    from canlian.people.models import Person

    visible = Person.objects.visible_to(User.objects.get(username=username)).order_by("pk")
    for query in (
        visible.filter(status_periods__isnull=False).exclude(guardian_name=""),
        visible.filter(status_periods__isnull=False),
        visible,
    ):
        person = query.first()
        if person is not None:
            return person
    raise SystemExit("screenshots: no person visible to the screenshot account")


def import_file(folder: Path) -> Path:
    """A small CSV of invented persons with the mistakes offices make, for the import shot."""
    from canlian.lib import idcard

    def number(born: datetime.date, sequence: int) -> str:
        return idcard.build(region_code="410825", birth_date=born, sequence=sequence)

    good = number(datetime.date(1966, 4, 2), 311)
    typo = good[:17] + ("0" if good[-1] != "0" else "1")
    rows = [
        "姓名,公民身份号码,民族,户籍所在乡镇（街道）,残疾类别,残疾等级,发证日期,联系电话",
        f"赵桂兰,{number(datetime.date(1954, 2, 11), 402)},汉族,梅岗街道,肢体,二级,2018-06-01,",
        f"孙小雨,{number(datetime.date(2016, 9, 3), 517)},汉族,梅岗街道,智力,三级,2021-03-15,",
        f"周建军,{typo},汉族,梅岗街道,4,2,2019/3/1,13800000000",
        "吴海燕,4.10825197108E+17,回族,梅岗街道,视力残疾,一级,2020年5月6日,",
        f"郑国庆,{number(datetime.date(1970, 10, 1), 611)},汉族,青禾镇,言语,五级,2017-01-01,",
    ]
    path = folder / "screenshot-import.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


def take(base: str, out: Path, username: str, password: str, person_id: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium.EXECUTABLE, args=chromium.ARGS, headless=True
        )
        context = browser.new_context(base_url=base, viewport=chromium.VIEWPORT, locale="zh-CN")
        page = context.new_page()
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        if "/login/" in page.url:
            raise SystemExit("screenshots: could not sign in")

        def shoot(name: str, *, full_page: bool = False) -> None:
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready")
            path = out / name
            page.screenshot(path=str(path), full_page=full_page)
            written.append(path)

        for suffix in ("", "-large-contrast"):
            if suffix:
                with page.expect_navigation():
                    page.click("header button[name=text][value=larger]")
                with page.expect_navigation():
                    page.click("header button[name=contrast][value=high]")
            page.goto("/people/")
            shoot(f"registry-list{suffix}.png")
            page.goto(f"/people/{person_id}/")
            shoot(f"person-detail{suffix}.png")
            page.goto("/people/new/")
            with page.expect_navigation():
                page.click("main form[method=post] button[type=submit]")
            # The error summary takes focus, as it does for a person; keep it in the shot.
            shoot(f"person-form-errors{suffix}.png")
            page.goto("/people/import/")
            with tempfile.TemporaryDirectory() as folder:
                page.set_input_files("#id_file", str(import_file(Path(folder))))
            with page.expect_navigation():
                page.click("main form[method=post] button[type=submit]")
            shoot(f"import-problems{suffix}.png", full_page=True)  # the problems are below
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not chromium.available():
        print(
            f"screenshots: {chromium.EXECUTABLE} not found (apt-get install chromium)",
            file=sys.stderr,
        )
        return 1
    if not (ROOT / "canlian" / "static" / "build" / "canlian.css").exists():
        print("screenshots: run `bash scripts/build-assets.sh` first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The production settings (DEBUG off) need a key; the server lives as long as this script.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["TASKS_BACKEND"] = "immediate"  # the import shot needs its check done at once
    with tempfile.TemporaryDirectory(prefix="canlian-shots-") as tmp:
        from_demo = prepare_database(Path(tmp))
        import django

        django.setup()
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.management import call_command
        from django.db import connections
        from django.test.testcases import LiveServerThread

        if from_demo:
            call_command("migrate", verbosity=0)  # the copy may predate a migration
        else:
            make_small_registry()
        username, password = shot_account()
        person = pick_person(username)
        connections.close_all()

        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            written = take(
                f"http://127.0.0.1:{server.port}", args.out, username, password, person.pk
            )
        finally:
            server.terminate()
            connections.close_all()
    source = "a copy of var/canlian.sqlite3" if from_demo else "a temporary database"
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"(data: {source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
