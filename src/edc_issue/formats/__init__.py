"""The containers a credential arrives in: JSON-LD, JAdES envelopes, the EU upload wrapper,
compact JWTs and baked PNG/SVG images; recognising them and taking the credential out.

This layer sits below everything that reads documents (proofs, seal, status, validate, the
API and the CLI) and imports only the standard library, ``errors`` and ``_types``.
"""
