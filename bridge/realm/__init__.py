"""Realm changes as code: `flask --app bridge realm plan|apply` bring the live realm to realm-export.json.

`source` reads and fills the file, `state` cuts a realm into comparable parts, `live` reads the same parts
from Keycloak, `diff` compares them, `apply` changes Keycloak, `admin` is the operator's connection.
Users, credentials, sessions, organizations' members and events are never read or changed.
"""
