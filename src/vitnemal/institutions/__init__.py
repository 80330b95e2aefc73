"""The federation's registry: institution codes, names, node endpoints and public keys."""
