"""A realm cut into the parts plan and apply compare: kind → name → what the file states about it.

The same shape comes from the file (`desired`) and from Keycloak (`bridge.realm.live`). Secrets are
left out here, so nothing downstream can print or compare them.
"""

from __future__ import annotations

import json
from typing import Any

from bridge.realm.source import RealmFileError

State = dict[str, dict[str, Any]]

REALM = "realm"
USER_PROFILE = "user profile"
CLIENT_SCOPE = "client scope"
CLIENT_SCOPE_MAPPER = "client scope mapper"
CLIENT = "client"
CLIENT_MAPPER = "client mapper"
REALM_ROLE = "realm role"
CLIENT_ROLE = "client role"
FLOW = "flow"
# The order apply follows: scopes before the clients that use them, clients before their roles, flows
# before the realm settings that bind them.
KINDS = (CLIENT_SCOPE, CLIENT_SCOPE_MAPPER, CLIENT, CLIENT_MAPPER, REALM_ROLE, CLIENT_ROLE, FLOW, USER_PROFILE, REALM)

# Top-level keys of the file that are not realm settings: another kind above holds them, or realm apply
# never touches them (users, groups, organizations and their members), or it does not compare them yet.
NOT_SETTINGS = {"id", "realm", "roles", "clients", "clientScopes", "users", "groups", "organizations",
                "identityProviders", "authenticationFlows", "authenticatorConfig", "components", "defaultRole",
                "clientScopeMappings", "scopeMappings", "clientProfiles", "clientPolicies", "requiredActions"}
USER_PROFILE_PROVIDER = "org.keycloak.userprofile.UserProfileProvider"
# Secrets: written by apply when something is created, never read back, compared or printed.
CLIENT_SECRET = "secret"
SMTP_PASSWORD = "password"


def desired(realm: dict) -> State:
    """The parts of a filled realm file, without secrets."""
    state: State = {kind: {} for kind in KINDS}
    settings = {key: value for key, value in realm.items() if key not in NOT_SETTINGS}
    if "smtpServer" in settings:
        settings["smtpServer"] = {k: v for k, v in settings["smtpServer"].items() if k != SMTP_PASSWORD}
    state[REALM][realm["realm"]] = settings
    if (profile := user_profile(realm)) is not None:
        state[USER_PROFILE]["declarative user profile"] = profile
    for scope in realm.get("clientScopes", []):
        state[CLIENT_SCOPE][scope["name"]] = without(scope, "protocolMappers", "id")
        for mapper in scope.get("protocolMappers", []):
            state[CLIENT_SCOPE_MAPPER][f"{scope['name']}/{mapper['name']}"] = without(mapper, "id")
    for client in realm.get("clients", []):
        state[CLIENT][client["clientId"]] = without(client, "protocolMappers", "id", CLIENT_SECRET)
        for mapper in client.get("protocolMappers", []):
            state[CLIENT_MAPPER][f"{client['clientId']}/{mapper['name']}"] = without(mapper, "id")
    roles = realm.get("roles", {})
    for role in roles.get("realm", []):
        state[REALM_ROLE][role["name"]] = role_part(role)
    for client_id, client_roles in roles.get("client", {}).items():
        for role in client_roles:
            state[CLIENT_ROLE][f"{client_id}/{role['name']}"] = role_part(role)
    configs = {config["alias"]: config.get("config", {}) for config in realm.get("authenticatorConfig", [])}
    for flow in realm.get("authenticationFlows", []):
        state[FLOW][flow["alias"]] = flow_part(flow, configs)
    return state


def without(representation: dict, *keys: str) -> dict:
    """A copy of `representation` without `keys`."""
    return {key: value for key, value in representation.items() if key not in keys}


def role_part(role: dict) -> dict:
    """What the file states about a role: its description and the roles it includes."""
    return {key: role[key] for key in ("description", "composites") if key in role}


def flow_part(flow: dict, configs: dict[str, dict]) -> dict:
    """A flow as exported (the file, or Keycloak's GET of one flow), its steps in order of priority."""
    return {**without(flow, "authenticationExecutions", "id", "builtIn"),
            "executions": [step(execution, configs) for execution in
                           sorted(flow.get("authenticationExecutions", []), key=lambda e: e.get("priority", 0))]}


def step(execution: dict, configs: dict[str, dict]) -> dict:
    """One step of a flow: the authenticator or sub-flow it runs, its requirement, its configuration."""
    part = {"step": execution.get("flowAlias") if execution.get("authenticatorFlow") else execution.get("authenticator"),
            "requirement": execution.get("requirement")}
    if "authenticatorConfig" in execution:
        part["config"] = {"alias": execution["authenticatorConfig"], **configs.get(execution["authenticatorConfig"], {})}
    return part


def user_profile(realm: dict) -> dict | None:
    """The declarative user profile the file configures (a JSON string inside a component), or None."""
    for component in realm.get("components", {}).get(USER_PROFILE_PROVIDER, []):
        text = component.get("config", {}).get("kc.user.profile.config", [None])[0]
        if text:
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise RealmFileError(f"the user profile (kc.user.profile.config) is not valid JSON: {exc.msg}") from None
    return None
