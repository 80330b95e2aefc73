"""The web layer: the app factory, shared page foundation (templates, languages, login, security) and routes."""
