"""The route families: issuing, verifying, status, EU-issuer sealing, operations."""
