"""The ground every feature stands on: settings, database and models, audit, errors, languages, health,
metrics, addresses and form helpers. It imports no feature, only the Keycloak interface below it."""
