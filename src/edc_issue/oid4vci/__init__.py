"""OpenID for Verifiable Credential Issuance 1.0 (pre-authorized code flow), VC-API
exchanges and the deep links wallets open: the protocol logic, without a web framework.

See: <https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html>.
"""
