"""Make the live realm hold what the plan says it lacks, one admin REST call per part.

New clients come by partial import with ifResourceExists=SKIP: it creates a client with its secret,
mappers, scopes and service account in one call and never touches one that exists. Existing parts are
updated in place (PUT), because partial import's OVERWRITE deletes and re-creates: a client would get a
new id and lose its service account's roles, a role would lose every user it was given to.
Nothing here reads or writes users, credentials, sessions, organizations' members or events.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bridge.realm import diff, live
from bridge.realm.admin import RealmAdmin, RealmAdminError, segment
from bridge.realm.diff import Action, Change
from bridge.realm.live import SCOPE_LISTS
from bridge.realm.state import (CLIENT, CLIENT_MAPPER, CLIENT_ROLE, CLIENT_SCOPE, CLIENT_SCOPE_MAPPER,
                                CLIENT_SECRET, FLOW, REALM, REALM_ROLE, USER_PROFILE, State, without)

SCOPE_KINDS = {"defaultClientScopes": "default-client-scopes", "optionalClientScopes": "optional-client-scopes"}
FLOW_FIELDS_APPLY_CHANGES = re.compile(r"^(description|executions\[\d+\]\.(requirement|config(\..+)?))$")


class UnsupportedChange(RealmAdminError):
    """A difference apply does not make (it would need the admin console); nothing was changed."""


class NotTaken(RealmAdminError):
    """Keycloak answered every call but the live realm still differs (`left` says where)."""

    def __init__(self, left: list[Change]):
        super().__init__(f"Keycloak did not take {len(left)} change(s)")
        self.left = left


def current_plan(admin: RealmAdmin, desired: State) -> list[Change]:
    """What differs now between the file's parts and the live realm."""
    return diff.plan(desired, live.read(admin, desired))


def apply_and_check(admin: RealmAdmin, realm: dict, desired: State, changes: list[Change]) -> None:
    """Apply `changes`, then plan again: NotTaken if anything still differs."""
    apply(admin, realm, desired, changes)
    if left := current_plan(admin, desired):
        raise NotTaken(left)


def unsupported(change: Change) -> str | None:
    """Why apply cannot make `change`, or None.

    Of a flow, apply changes the description and its steps' requirements and configurations only.
    """
    if change.kind != FLOW:
        return None
    if change.action == Action.CREATE:
        return "apply does not create flows: create it in the admin console, then apply"
    if not all(FLOW_FIELDS_APPLY_CHANGES.match(field.path) for field in change.fields):
        return "apply does not add, remove or reorder a flow's steps: change them in the admin console, then apply"
    return None


def apply(admin: RealmAdmin, realm: dict, desired: State, changes: list[Change]) -> None:
    """Make every change of the plan; refuse them all, before the first call, if one is unsupported."""
    refused = [f"{change.kind} {change.name}: {reason}" for change in changes if (reason := unsupported(change))]
    if refused:
        raise UnsupportedChange("; ".join(refused))
    created = {(change.kind, change.name) for change in changes if change.action == Action.CREATE}
    # Everything new first (in the order of KINDS), so an update can name it: a scope a client uses,
    # a role a composite includes.
    for change in sorted(changes, key=lambda change: change.action != Action.CREATE):
        owner = change.name.partition("/")[0]
        if change.kind in (CLIENT_SCOPE_MAPPER, CLIENT_MAPPER) and ((OWNER_KIND[change.kind], owner) in created):
            continue  # came with its client or scope
        HANDLERS[change.kind](admin, realm, desired, change)
    for change in changes:
        if change.kind in ROLE_CONTAINERS and "composites" in desired[change.kind][change.name]:
            container, name = ROLE_CONTAINERS[change.kind](admin, change.name)
            _sync_composites(admin, f"{container}/roles/{segment(name)}", desired[change.kind][change.name]["composites"])


def _client_scope(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
    if change.action == Action.CREATE:
        admin.post("/client-scopes", _named(realm["clientScopes"], "name", change.name))
        return
    live = _scope(admin, change.name)
    wanted = desired[CLIENT_SCOPE][change.name]
    admin.put(f"/client-scopes/{live['id']}", {**without(live, "protocolMappers"), **_merged(live, wanted)})


def _client(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
    if change.action == Action.CREATE:
        admin.post("/partialImport", {"ifResourceExists": "SKIP",
                                      "clients": [_named(realm["clients"], "clientId", change.name)]})
        return
    live = _client_by_id(admin, change.name)
    wanted = desired[CLIENT][change.name]
    body = {**without(live, "protocolMappers", CLIENT_SECRET, *SCOPE_KINDS), **without(_merged(live, wanted), *SCOPE_KINDS)}
    admin.put(f"/clients/{live['id']}", body)
    for key, path in SCOPE_KINDS.items():
        if key in wanted:
            _sync_scopes(admin, f"/clients/{live['id']}/{path}", live.get(key, []), wanted[key])


def _mapper(path_of_owner: Callable[[RealmAdmin, str], tuple[str, list]], kind: str):
    def handle(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
        owner, _, name = change.name.partition("/")
        path, mappers = path_of_owner(admin, owner)
        wanted = desired[kind][change.name]
        live = next((mapper for mapper in mappers if mapper["name"] == name), None)
        if live is None:
            admin.post(f"{path}/protocol-mappers/models", wanted)
        else:
            admin.put(f"{path}/protocol-mappers/models/{live['id']}", {**live, **_merged(live, wanted)})
    return handle


def _role(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
    """Create the role or set its description; what it includes comes after every role exists (see apply)."""
    container, name = ROLE_CONTAINERS[change.kind](admin, change.name)
    wanted = desired[change.kind][change.name]
    role_path = f"{container}/roles/{segment(name)}"
    if change.action == Action.CREATE:
        admin.post(f"{container}/roles", {"name": name, "description": wanted.get("description")})
    elif "description" in wanted:
        admin.put(role_path, {**admin.get(role_path), "description": wanted["description"]})


def _flow(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
    alias = change.name
    wanted = desired[FLOW][alias]
    steps = [execution for execution in admin.get(f"/authentication/flows/{segment(alias)}/executions")
             if execution["level"] == 0]
    steps.sort(key=lambda execution: execution["index"])
    if {field.path.split(".")[0] for field in change.fields} - {"executions"}:
        flow = _flow_by_alias(admin, alias)
        admin.put(f"/authentication/flows/{flow['id']}", {**without(flow, "authenticationExecutions"),
                                                          **without(wanted, "executions")})
    for step, execution in zip(wanted["executions"], steps):
        if execution.get("requirement") != step["requirement"]:
            admin.put(f"/authentication/flows/{segment(alias)}/executions", {**execution, "requirement": step["requirement"]})
        if "config" in step:
            _sync_config(admin, execution, step["config"])


def _flow_by_alias(admin: RealmAdmin, alias: str) -> dict:
    """A flow, top-level or sub-flow (the list of flows holds only the top-level ones)."""
    for flow in admin.get("/authentication/flows"):
        if flow["alias"] == alias:
            return flow
        for execution in admin.get(f"/authentication/flows/{segment(flow['alias'])}/executions"):
            if execution.get("flowId") and execution.get("displayName") == alias:
                return admin.get(f"/authentication/flows/{execution['flowId']}")
    raise RealmAdminError(f"flow {alias!r} does not exist in the live realm")


def _sync_config(admin: RealmAdmin, execution: dict, wanted: dict) -> None:
    body = {"alias": wanted["alias"], "config": without(wanted, "alias")}
    if execution.get("authenticationConfig"):
        live = admin.get(f"/authentication/config/{execution['authenticationConfig']}")
        if live.get("config") != body["config"] or live.get("alias") != body["alias"]:
            admin.put(f"/authentication/config/{live['id']}", {**live, **body})
    else:
        admin.post(f"/authentication/executions/{execution['id']}/config", body)


def _user_profile(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
    admin.put("/users/profile", desired[USER_PROFILE][change.name])


def _realm(admin: RealmAdmin, realm: dict, desired: State, change: Change) -> None:
    wanted = desired[REALM][change.name]
    changed = {field.path.split(".")[0].split("[")[0] for field in change.fields}
    settings = {key: wanted[key] for key in changed if key not in SCOPE_LISTS and key != "localizationTexts"}
    if "smtpServer" in settings:
        settings["smtpServer"] = realm["smtpServer"]  # with its password, which the plan never compares
    if settings:
        admin.put("", settings)
    if "localizationTexts" in changed:
        for locale, texts in wanted["localizationTexts"].items():
            admin.post(f"/localization/{segment(locale)}", texts)
    for key, path in SCOPE_LISTS.items():
        if key in changed:
            _sync_scopes(admin, path, [scope["name"] for scope in admin.get(path)], wanted[key])


def _sync_scopes(admin: RealmAdmin, path: str, live: list[str], wanted: list[str]) -> None:
    """Add and remove client scopes (by name) under `path` until it holds exactly `wanted`."""
    ids = {scope["name"]: scope["id"] for scope in admin.get("/client-scopes")}
    for name in set(wanted) - set(live):
        if name not in ids:
            raise RealmAdminError(f"client scope {name!r} does not exist in the live realm")
        admin.put(f"{path}/{ids[name]}", {})
    for name in set(live) - set(wanted):
        admin.delete(f"{path}/{ids[name]}")


def _sync_composites(admin: RealmAdmin, role_path: str, wanted: dict) -> None:
    """Make the composite role at `role_path` include exactly the roles `wanted` lists."""
    live = admin.get(f"{role_path}/composites")
    targets = [admin.get(f"/roles/{segment(name)}") for name in wanted.get("realm", [])]
    for client_id, names in wanted.get("client", {}).items():
        client = _client_by_id(admin, client_id)
        targets += [admin.get(f"/clients/{client['id']}/roles/{segment(name)}") for name in names]
    live_ids, target_ids = {role["id"] for role in live}, {role["id"] for role in targets}
    if missing := [role for role in targets if role["id"] not in live_ids]:
        admin.post(f"{role_path}/composites", missing)
    if extra := [role for role in live if role["id"] not in target_ids]:
        admin.delete(f"{role_path}/composites", extra)


def _merged(live: dict, wanted: dict) -> dict:
    """The file's fields over the live ones; a dict field (attributes, config) keeps the live keys the file omits."""
    return {key: {**live.get(key, {}), **value} if isinstance(value, dict) and isinstance(live.get(key), dict) else value
            for key, value in wanted.items()}


def _named(items: list[dict], key: str, name: str) -> dict:
    return next(item for item in items if item.get(key) == name)


def _scope(admin: RealmAdmin, name: str) -> dict:
    return _named(admin.get("/client-scopes"), "name", name)


def _client_by_id(admin: RealmAdmin, client_id: str) -> dict:
    found = admin.get("/clients", clientId=client_id)
    if not found:
        raise RealmAdminError(f"client {client_id!r} does not exist in the live realm")
    return found[0]


def _scope_owner(admin: RealmAdmin, name: str) -> tuple[str, list]:
    scope = _scope(admin, name)
    return f"/client-scopes/{scope['id']}", scope.get("protocolMappers", [])


def _client_owner(admin: RealmAdmin, client_id: str) -> tuple[str, list]:
    client = _client_by_id(admin, client_id)
    return f"/clients/{client['id']}", client.get("protocolMappers", [])


def _realm_container(admin: RealmAdmin, name: str) -> tuple[str, str]:
    return "", name


def _client_container(admin: RealmAdmin, name: str) -> tuple[str, str]:
    client_id, _, role = name.partition("/")
    return f"/clients/{_client_by_id(admin, client_id)['id']}", role


OWNER_KIND = {CLIENT_SCOPE_MAPPER: CLIENT_SCOPE, CLIENT_MAPPER: CLIENT}
ROLE_CONTAINERS = {REALM_ROLE: _realm_container, CLIENT_ROLE: _client_container}
HANDLERS = {
    CLIENT_SCOPE: _client_scope, CLIENT_SCOPE_MAPPER: _mapper(_scope_owner, CLIENT_SCOPE_MAPPER),
    CLIENT: _client, CLIENT_MAPPER: _mapper(_client_owner, CLIENT_MAPPER),
    REALM_ROLE: _role, CLIENT_ROLE: _role,
    FLOW: _flow, USER_PROFILE: _user_profile, REALM: _realm,
}
