"""The live realm's parts, in the shape of `bridge.realm.state`: read only what the file names.

Keycloak's admin API gives each part its own way (a realm's localization texts and default scopes
on their own paths, a flow's steps as an export with the configurations by id); this module turns
them into the file's shape, so `diff` compares like with like.
"""

from __future__ import annotations

from bridge.realm.admin import RealmAdmin, segment
from bridge.realm.state import (CLIENT, CLIENT_MAPPER, CLIENT_ROLE, CLIENT_SCOPE, CLIENT_SCOPE_MAPPER,
                                CLIENT_SECRET, FLOW, KINDS, REALM, REALM_ROLE, SMTP_PASSWORD, USER_PROFILE,
                                State, flow_part, without)

SCOPE_LISTS = {"defaultDefaultClientScopes": "/default-default-client-scopes",
               "defaultOptionalClientScopes": "/default-optional-client-scopes"}


def read(admin: RealmAdmin, desired: State) -> State:
    """The live counterpart of every part `desired` names; a part Keycloak lacks is left out."""
    state: State = {kind: {} for kind in KINDS}
    for name, wanted in desired[REALM].items():
        state[REALM][name] = realm_settings(admin, wanted)
    if desired[USER_PROFILE]:
        state[USER_PROFILE] = {name: admin.get("/users/profile") for name in desired[USER_PROFILE]}
    scopes = {scope["name"]: scope for scope in admin.get("/client-scopes")}
    state[CLIENT_SCOPE] = {name: without(scopes[name], "protocolMappers")
                           for name in desired[CLIENT_SCOPE] if name in scopes}
    state[CLIENT_SCOPE_MAPPER] = mappers(scopes, desired[CLIENT_SCOPE_MAPPER])
    clients = {client["clientId"]: client for client in admin.get("/clients")}
    state[CLIENT] = {name: without(clients[name], "protocolMappers", CLIENT_SECRET)
                     for name in desired[CLIENT] if name in clients}
    state[CLIENT_MAPPER] = mappers(clients, desired[CLIENT_MAPPER])
    client_ids = {client["id"]: client["clientId"] for client in clients.values()}
    state[REALM_ROLE] = roles(admin, "", desired[REALM_ROLE], client_ids)
    for client_id in {name.partition("/")[0] for name in desired[CLIENT_ROLE]}:
        if client_id in clients:
            wanted = {name.partition("/")[2]: part for name, part in desired[CLIENT_ROLE].items()
                      if name.partition("/")[0] == client_id}
            found = roles(admin, f"/clients/{clients[client_id]['id']}", wanted, client_ids)
            state[CLIENT_ROLE].update({f"{client_id}/{name}": part for name, part in found.items()})
    state[FLOW] = flows(admin, desired[FLOW])
    return state


def realm_settings(admin: RealmAdmin, wanted: dict) -> dict:
    """The realm's representation, with the localization texts and default scope lists the file states."""
    settings = admin.get()
    if "smtpServer" in settings:
        settings["smtpServer"] = without(settings["smtpServer"], SMTP_PASSWORD)
    if "localizationTexts" in wanted:
        settings["localizationTexts"] = {locale: admin.get(f"/localization/{segment(locale)}")
                                         for locale in wanted["localizationTexts"]}
    for key, path in SCOPE_LISTS.items():
        if key in wanted:
            settings[key] = [scope["name"] for scope in admin.get(path)]
    return settings


def mappers(owners: dict[str, dict], names: dict) -> dict:
    """The protocol mappers named "owner/mapper" among the owners' (clients' or client scopes') mappers."""
    found = {}
    for name in names:
        owner, _, mapper = name.partition("/")
        for candidate in owners.get(owner, {}).get("protocolMappers", []):
            if candidate["name"] == mapper:
                found[name] = without(candidate, "id")
    return found


def roles(admin: RealmAdmin, container: str, wanted: dict, client_ids: dict[str, str]) -> dict:
    """The roles of the realm (container "") or of a client ("/clients/{id}") that `wanted` names."""
    live = {role["name"]: role for role in admin.get(f"{container}/roles", briefRepresentation="false")}
    found = {}
    for name, part in wanted.items():
        if name not in live:
            continue
        found[name] = {"description": live[name].get("description")}
        if "composites" in part:
            found[name]["composites"] = composites(admin.get(f"{container}/roles/{segment(name)}/composites"), client_ids)
    return found


def composites(included: list[dict], client_ids: dict[str, str]) -> dict:
    """Roles a composite includes, grouped as the file groups them: {"realm": [...], "client": {id: [...]}}."""
    grouped: dict = {"realm": [], "client": {}}
    for role in included:
        if role.get("clientRole"):
            grouped["client"].setdefault(client_ids.get(role["containerId"], role["containerId"]), []).append(role["name"])
        else:
            grouped["realm"].append(role["name"])
    return grouped


def flows(admin: RealmAdmin, wanted: dict) -> dict:
    """The flows `wanted` names (top-level and sub-flows), each with its steps and their configurations."""
    ids, configs = {}, {}
    for flow in admin.get("/authentication/flows"):
        ids[flow["alias"]] = flow["id"]
        for execution in admin.get(f"/authentication/flows/{segment(flow['alias'])}/executions"):
            if execution.get("authenticationFlow") and execution.get("flowId"):
                ids[execution["displayName"]] = execution["flowId"]
            if execution.get("authenticationConfig") and execution["authenticationConfig"] not in configs:
                config = admin.get(f"/authentication/config/{execution['authenticationConfig']}")
                configs[execution["authenticationConfig"]] = config
    by_alias = {config["alias"]: config.get("config", {}) for config in configs.values()}
    return {alias: flow_part(admin.get(f"/authentication/flows/{ids[alias]}"), by_alias)
            for alias in wanted if alias in ids}
