"""The staff's day as a load: what `bench/load_test.py` runs with locust against gunicorn.

Each simulated user signs in with a demo account of its own role (city staff, a county
clerk, a township officer), then, with a pause between requests, lists the registry with a
filter, searches by name and by ID number, opens person pages, roll pages and the to-do
list, signs out and in again now and then, and (a county clerk) imports a small spreadsheet
of its county's persons: upload, check, confirm, applied. Every answer is checked for what
the page must show; anything else counts as an error.

The data (accounts, persons, ID numbers, rolls in each account's scope, the file to import)
comes from the JSON file named by LOAD_DATA, written by bench/load_test.py. Runs only in
the benchmark's own environment (locust is not a project dependency).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from itertools import count
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

DATA: dict[str, Any] = json.loads(Path(os.environ["LOAD_DATA"]).read_text("utf-8"))
ACCOUNTS: list[dict[str, Any]] = DATA["accounts"]
PASSWORD: str = DATA["password"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JOB = re.compile(r"/people/import/([0-9a-f-]{36})/")
NUMBER = count()
WAIT = (float(os.getenv("LOAD_WAIT_MIN", "2")), float(os.getenv("LOAD_WAIT_MAX", "8")))
# Every request's (when it ended, its name, milliseconds, whether it failed), written at
# the end to LOAD_REQUESTS for the driver's percentiles over part of the run.
REQUESTS: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _seen(name: str, response_time: float, exception: Any, **_: Any) -> None:
    REQUESTS.append((time.time(), name, float(response_time), exception is not None))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    target = os.getenv("LOAD_REQUESTS")
    if not target:
        return
    Path(target).write_text(json.dumps(REQUESTS, ensure_ascii=False), "utf-8")


class Staff(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        # Users take the accounts in turn: as many of each role as the others.
        self.account = ACCOUNTS[next(NUMBER) % len(ACCOUNTS)]
        self.rng = random.Random()
        self.sign_in()

    # --- Helpers -------------------------------------------------------------------------

    def expect(self, path: str, name: str, needle: str, **params: Any) -> str:
        """GET `path`; an error unless it answers 200 with `needle` in the page."""
        with self.client.get(path, params=params, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
                return ""
            if needle not in answer.text:
                answer.failure(f"{needle!r} not on the page")
                return ""
            answer.success()
            return str(answer.text)

    def sign_in(self) -> None:
        page = self.expect("/login/", "sign-in page", "csrfmiddlewaretoken")
        token = CSRF.search(page)
        if token is None:
            return
        form = {
            "username": self.account["username"],
            "password": PASSWORD,
            "csrfmiddlewaretoken": token[1],
        }
        with self.client.post(
            "/login/", data=form, name="sign in", catch_response=True,
            headers={"Referer": f"{self.host}/login/"},
        ) as answer:  # fmt: skip
            if answer.status_code != 200 or "/login/" in answer.url:
                answer.failure(f"not signed in: {answer.status_code} {answer.url}")
            else:
                answer.success()

    # --- The day's work ------------------------------------------------------------------

    @task(20)
    def list_with_a_filter(self) -> None:
        choice = self.rng.choice(["category", "grade", "place", "page"])
        params: dict[str, str] = {}
        if choice == "category":
            params["category"] = str(self.rng.randint(1, 7))
        elif choice == "grade":
            params["grade"] = str(self.rng.randint(1, 4))
        elif choice == "place":
            params["place"] = self.rng.choice(self.account["places"])
        else:
            params["page"] = str(self.rng.randint(2, 5))
        self.expect("/people/", f"list by {choice}", 'id="results-heading"', **params)

    @task(3)
    def list_currently_dibao(self) -> None:
        self.expect("/people/", "list currently 低保", 'id="results-heading"', status="dibao")

    @task(10)
    def search_by_name(self) -> None:
        surname = self.rng.choice(SURNAMES)
        self.expect("/people/", "search by name", 'id="results-heading"', q=surname)

    @task(5)
    def search_by_id_number(self) -> None:
        number = self.rng.choice(self.account["id_numbers"])
        self.expect("/people/", "search by ID number", "govuk-heading-l", q=number)

    @task(20)
    def person_page(self) -> None:
        person = self.rng.choice(self.account["persons"])
        self.expect(f"/people/{person}/", "person page", "govuk-heading-l")

    @task(4)
    def roll_page(self) -> None:
        if not self.account["rolls"]:
            return self.todo()
        roll = self.rng.choice(self.account["rolls"])
        self.expect(f"/payroll/rolls/{roll}/", "roll page", "govuk-heading-l")
        return None

    @task(5)
    def todo(self) -> None:
        self.expect("/", "to-do list", "govuk-heading-l")

    @task(2)
    def sign_out_and_in(self) -> None:
        page = self.expect("/", "to-do list", "govuk-heading-l")
        token = CSRF.search(page)
        if token is None:
            return
        self.client.post(
            "/logout/", data={"csrfmiddlewaretoken": token[1]}, name="sign out",
            headers={"Referer": f"{self.host}/"},
        )  # fmt: skip
        self.sign_in()

    @task(1)
    def import_a_spreadsheet(self) -> None:
        """A county clerk's import of their county's persons, to the end: nothing changes in
        them, so the registry stays as it was."""
        upload = self.account.get("import")
        if not upload:
            return self.search_by_name()
        page = self.expect("/people/import/", "import page", "csrfmiddlewaretoken")
        token = CSRF.search(page)
        if token is None:
            return None
        with open(upload, "rb") as stream:
            files = {"file": ("名单.csv", stream.read(), "text/csv")}
        with self.client.post(
            "/people/import/", data={"csrfmiddlewaretoken": token[1]}, files=files,
            name="import: upload", catch_response=True, headers={"Referer": f"{self.host}/"},
        ) as answer:  # fmt: skip
            job = JOB.search(answer.url or "")
            if answer.status_code != 200 or job is None:
                answer.failure(f"no import job: {answer.status_code} {answer.url}")
                return None
            answer.success()
        detail = f"/people/import/{job[1]}/"
        status = self.wait_for(f"{detail}status.json", {"checked", "rejected", "failed"})
        if status != "checked":
            return None
        page = self.expect(detail, "import: checked", "csrfmiddlewaretoken")
        token = CSRF.search(page)
        if token is None:
            return None
        self.client.post(
            f"{detail}confirm/", data={"csrfmiddlewaretoken": token[1]}, name="import: confirm",
            headers={"Referer": f"{self.host}{detail}"},
        )  # fmt: skip
        self.wait_for(f"{detail}status.json", {"applied"})
        return None

    def wait_for(self, path: str, done: set[str]) -> str:
        """Poll a job's status as its page does, every 2 s for at most 2 minutes; an error
        unless it reaches one of `done`."""
        deadline = time.monotonic() + 120
        status = ""
        while time.monotonic() < deadline:
            with self.client.get(path, name="import: status", catch_response=True) as answer:
                if answer.status_code != 200:
                    answer.failure(f"status {answer.status_code}")
                    return ""
                status = answer.json().get("status", "")
                answer.success()
            if status in done:
                return status
            if status not in {"queued", "checking", "checked", "applying"}:
                break
            time.sleep(2)
        events.request.fire(
            request_type="JOB", name=f"import reached {sorted(done)}", response_time=0,
            response_length=0, exception=RuntimeError(f"import ended as {status!r}"),
        )  # fmt: skip
        return status
