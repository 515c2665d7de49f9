"""Fixtures: declared workflows, categories and templates make the emulator refuse typos."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from bodies import FIXTURES, IN_APP, U1

from chimekit_emulator import EmulatorConfig, EmulatorHandle, EmulatorServer

from .harness import Api


@pytest.fixture
def strict(api: Api, chimekit_emulator: EmulatorHandle) -> Api:
    """The session emulator with ``FIXTURES`` declared and member u1 identified."""
    chimekit_emulator.set_fixtures(FIXTURES)
    api.identify("u1")
    return api


def _send(api: Api, content: dict[str, Any], **fields: Any) -> Any:
    return api.post("/messages/send", {**U1, "content": content, **fields})


def test_without_fixtures_anything_goes(api: Api) -> None:
    """No fixtures: any workflow key, category and template id is accepted (as before)."""
    api.identify("u1")
    assert api.post("/workflows/wlecome/run", U1).status == 200
    assert _send(api, {"templateId": "tpl_anything"}, categoryId="cat_whatever").status == 200


def test_unknown_workflow_is_404(strict: Api) -> None:
    """A workflow key the fixtures do not declare is a 404 naming it and the declared ones."""
    response = strict.post("/workflows/welcome-sequnce/run", U1)
    assert (response.status, response.json()) == (
        404,
        {
            "error": 'workflowKey: workflow "welcome-sequnce" not found'
            ' (the fixtures declare "digest", "welcome-sequence")'
        },
    )
    assert strict.post("/workflows/welcome-sequence/run", U1).status == 200


def test_declared_workflow_timings(strict: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A workflow's own schedule and outcome apply: digest fails at once; others use defaults."""
    run_id = strict.post("/workflows/digest/run", U1).json()["runId"]
    run = strict.get(f"/workflows/runs/{run_id}").json()["run"]
    assert (run["status"], run["startedAt"] is not None) == ("failed", True)
    welcome = strict.post("/workflows/welcome-sequence/run", U1).json()["runId"]
    assert strict.get(f"/workflows/runs/{welcome}").json()["run"]["status"] == "queued"


def test_unknown_category_is_404(strict: Api) -> None:
    """An undeclared categoryId is refused; declared ones and cat_default are accepted."""
    response = _send(strict, IN_APP, categoryId="cat_marketng")
    assert (response.status, response.error) == (
        404,
        'categoryId: category "cat_marketng" not found (the fixtures declare "cat_billing",'
        ' "cat_default", "cat_marketing")',
    )
    for category in ("cat_marketing", "cat_billing", "cat_default"):
        assert _send(strict, IN_APP, categoryId=category).status == 200
    assert _send(strict, IN_APP).status == 200


def test_declared_category_names_show_in_history(strict: Api) -> None:
    """A declared name is the category's name in the history."""
    _send(strict, IN_APP, categoryId="cat_billing")
    (item,) = strict.get("/messages/members/u1/messages").json()["messages"]
    assert item["category"] == {"id": "cat_billing", "name": "Billing"}


def test_unknown_template_and_version_are_404(strict: Api) -> None:
    """Undeclared templates (top level or in_app) and undeclared versions are refused."""
    response = _send(strict, {"templateId": "tpl_welcom"})
    assert (response.status, response.error) == (
        404,
        'content.templateId: template "tpl_welcom" not found'
        ' (the fixtures declare "tpl_invoice", "tpl_welcome")',
    )
    in_app = _send(strict, {"in_app": {"templateId": "tpl_nope"}})
    assert (in_app.status, in_app.error.split(":")[0]) == (404, "content.in_app.templateId")
    version = _send(strict, {"templateId": "tpl_invoice", "templateVersionId": "tv_3"})
    assert (version.status, version.error) == (
        404,
        'content.templateVersionId: template version "tv_3" not found'
        ' (the fixtures declare "tv_1", "tv_2")',
    )
    assert _send(strict, {"templateId": "tpl_welcome", "templateVersionId": "any"}).status == 200


def test_template_category_applies_when_none_is_given(strict: Api) -> None:
    """A template that names a category sends in it unless the request names another."""
    sent = _send(strict, {"templateId": "tpl_invoice", "templateVersionId": "tv_2"})
    assert sent.json()["message"]["categoryId"] == "cat_billing"
    chosen = _send(strict, {"templateId": "tpl_invoice"}, categoryId="cat_marketing")
    assert chosen.json()["message"]["categoryId"] == "cat_marketing"


def test_suppression_category_is_checked(strict: Api) -> None:
    """A suppression for an undeclared category is refused like a send."""
    body = {"identity": {"type": "email", "value": "u1@example.com"}, "categoryId": "cat_nope"}
    response = strict.post("/audience/members/u1/suppressions", body)
    assert (response.status, response.error.split(":")[0]) == (404, "categoryId")
    body["categoryId"] = "cat_billing"
    created = strict.post("/audience/members/u1/suppressions", body).json()["suppression"]
    assert created["category"] == {"id": "cat_billing", "name": "Billing"}


def test_only_declared_sections_are_strict(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """Fixtures with workflows only: categories and templates stay permissive."""
    chimekit_emulator.set_fixtures({"workflows": []})
    api.identify("u1")
    assert api.post("/workflows/any/run", U1).status == 404
    assert _send(api, {"templateId": "t"}, categoryId="c").status == 200
    assert chimekit_emulator.fixtures() == {"workflows": [], "categories": None, "templates": None}


def test_admin_round_trip_and_clear(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """GET shows the normalised fixtures; clear_fixtures makes everything permissive again."""
    chimekit_emulator.set_fixtures(FIXTURES)
    shown = chimekit_emulator.fixtures()
    assert shown["workflows"][0] == {
        "key": "welcome-sequence",
        "queuedSeconds": None,
        "runningSeconds": None,
        "finalStatus": "completed",
    }
    assert shown["categories"] == [
        {"id": "cat_marketing", "name": "cat_marketing"},
        {"id": "cat_billing", "name": "Billing"},
    ]
    assert shown["templates"][1] == {
        "id": "tpl_invoice",
        "categoryId": "cat_billing",
        "versions": ["tv_1", "tv_2"],
    }
    chimekit_emulator.clear_fixtures()
    api.identify("u1")
    assert api.post("/workflows/anything/run", U1).status == 200


def test_reset_restores_the_configured_fixtures() -> None:
    """EmulatorConfig(fixtures=...) is strict from the start, and again after a reset."""
    with EmulatorServer(EmulatorConfig(fixtures=FIXTURES)) as server:
        api = Api(server.base_url, server.secret_key)
        control = EmulatorHandle(server.base_url, server.admin_url, server.secret_key)
        api.identify("u1")
        assert api.post("/workflows/nope/run", U1).status == 404
        control.clear_fixtures()
        assert api.post("/workflows/nope/run", U1).status == 200
        control.reset()
        api.identify("u1")
        assert api.post("/workflows/nope/run", U1).status == 404


def _broken(change: str) -> dict[str, Any]:
    fixtures = copy.deepcopy(FIXTURES)
    if change == "section":
        fixtures["steps"] = []
    elif change == "not-a-list":
        fixtures["workflows"] = "welcome"
    elif change == "status":
        fixtures["workflows"][1]["finalStatus"] = "done"
    elif change == "seconds":
        fixtures["workflows"][1]["runningSeconds"] = -1
    else:
        fixtures["templates"][1]["categoryId"] = "cat_unknown"
    return fixtures


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("section", "fixtures: unknown field(s) steps (known: categories, templates, workflows)"),
        ("not-a-list", "workflows must be a list (or null: not checked)"),
        ("status", "workflows[1].finalStatus must be one of completed, failed"),
        ("seconds", "workflows[1].runningSeconds must be a number of seconds >= 0"),
        ("category", 'templates[1].categoryId: category "cat_unknown" not found'),
    ],
)
def test_invalid_fixtures_are_refused(
    api: Api, chimekit_emulator: EmulatorHandle, change: str, message: str
) -> None:
    """Invalid fixtures: ValueError before sending, 400 from the admin API, naming the entry."""
    with pytest.raises(ValueError) as raised:
        chimekit_emulator.set_fixtures(_broken(change))
    assert str(raised.value).startswith(message)
    response = api.request("PUT", "/fixtures", _broken(change), prefix="/_emulator")
    assert response.status == 400
    assert response.error.startswith(message)
    with pytest.raises(ValueError) as configured:
        EmulatorConfig(fixtures=_broken(change))
    assert str(configured.value).startswith(message)
