"""The committed OpenAPI document (bot/api/openapi.json) matches the app's routes, both ways."""

from __future__ import annotations

import re

CHANNEL_PATHS = {"rest", "callback", "widget", "slack"}  # documented; served when credentials.yml names them


def _routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


def test_every_route_is_documented_and_every_documented_route_exists(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {(m, p) for p, ops in document["paths"].items() for m in ops}
    served = _routes(client.application)
    assert served - documented == set()  # every route has its entry
    channels = {
        (m, p) for p, ops in document["paths"].items() for m, op in ops.items() if "x-parley-channel" in op
    }
    assert documented - served <= channels  # entries without a route are channels this project does not use


def test_the_protected_endpoints_say_they_need_credentials(client):
    from bot.api.auth import PROTECTED

    document = client.get("/openapi.json").get_json()
    assert {"bearer", "token"} <= set(document["components"]["securitySchemes"])
    app = client.application
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.split(".")[0]
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = document["paths"][path][method.lower()]
            open_ = op.get("security") == []
            assert open_ is (blueprint not in PROTECTED), (method, path)
            if not open_:
                assert "401" in op["responses"], (method, path)


def test_the_document_is_served_without_credentials(anonymous):
    assert anonymous.get("/openapi.json").status_code == 200
