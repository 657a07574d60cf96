"""Hostile or malformed request input gets a page with an explanation, never a server error."""

import pytest

from canlian.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/people/99999999999999999999999/", {}),
        ("/people/", {"q": "a\x00b"}),
        ("/people/", {"q": "张\x00"}),
        ("/people/", {"place": "41\x00"}),
        ("/people/", {"page": "99999999999999999999"}),
        ("/people/", {"sort": "password"}),
        ("/audit/", {"actor": "x\x00", "date_from": "2020-02-30"}),
        ("/people/export.csv", {"q": "\x00"}),
    ],
)
def test_malformed_query_parameters_never_cause_a_server_error(
    county_clerk, audit_admin, path, params
):
    client = client_for(audit_admin if path.startswith("/audit") else county_clerk)
    client.raise_request_exception = False
    assert client.get(path, params).status_code < 500


def test_a_nul_character_in_a_form_is_refused_with_a_field_error(county_clerk):
    client = client_for(county_clerk)
    response = client.post("/people/new/", {"name": "王\x00五"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
