"""Login: the OIDC client (``oidc``), the configured providers (``providers``) and the ``/auth`` routes."""
