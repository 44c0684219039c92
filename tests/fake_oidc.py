"""A strict fake OpenID Connect provider on 127.0.0.1, for the accounts' browser tests and for trying
accounts out (README, "Accounts"): `python -m tests.fake_oidc`.

It serves what Streamlit's sign-in (Authlib) uses: the discovery document, an authorize page where
anyone signs in by typing an e-mail address (the authorization-code flow, with state, nonce and
PKCE when asked), the token endpoint (client authentication, one-use codes bound to their
redirect_uri) and the JWKS its RS256 id_tokens are checked against. A person's `sub` is derived
from the address, so the same address is the same person every time. Anything else is refused
with a 400, as a real provider would.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "bnagpt"
CLIENT_SECRET = "fake-oidc-client-secret"  # a test double's, not a secret: the README's example uses it
CODE_SECONDS = 60
SIGN_IN_PAGE = """<!doctype html><html><head><title>Fake OpenID provider</title></head><body>
<h1>Sign in to the fake provider</h1>
<form method="post" action="/authorize">{hidden}
<label>E-mail address <input name="email" type="email" required autofocus></label>
<button type="submit">Continue</button></form></body></html>"""


def subject_for(email: str) -> str:
    """The stable `sub` of the person who signs in with `email`."""
    return "fake-" + hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:16]


class FakeOIDC:
    """The provider: `start()`, then its `issuer` URL; `stop()` at the end."""

    def __init__(self, redirect_uris: list[str], port: int = 0, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET) -> None:
        self.redirect_uris, self.client_id, self.client_secret = list(redirect_uris), client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})
        self.codes: dict[str, dict] = {}
        self.signed_in: list[str] = []  # the addresses given an id_token, in order
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> FakeOIDC:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake OIDC", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"], "grant_types_supported": ["authorization_code"],
        }

    def check_authorize(self, query: dict[str, str]) -> str | None:
        """Why an authorization request is refused, or None."""
        if query.get("client_id") != self.client_id:
            return "unknown client_id"
        if query.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri is not registered for this client"
        if query.get("response_type") != "code":
            return "only response_type=code is supported"
        if "openid" not in query.get("scope", "").split():
            return "scope must include openid"
        if query.get("code_challenge") and query.get("code_challenge_method") != "S256":
            return "only the S256 code challenge is supported"
        return None

    def issue_code(self, query: dict[str, str], email: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {**query, "email": email.strip(), "expires": time.time() + CODE_SECONDS}
        return code

    def exchange(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict]:
        """The token endpoint's status and body for this request."""
        client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant["expires"] < time.time() or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant.get("code_challenge"):
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if challenge != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "code_verifier does not match"}
        now = int(time.time())
        email = grant["email"]
        claims = {"iss": self.issuer, "sub": subject_for(email), "aud": self.client_id, "iat": now,
                  "exp": now + 3600, "email": email, "email_verified": True,
                  "name": email.split("@")[0].title()}
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        self.signed_in.append(email)
        return 200, {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600,
                     "id_token": id_token, "scope": grant.get("scope", "openid")}


def _handler(provider: FakeOIDC) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: the tests read what matters from the provider
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                problem = provider.check_authorize(query)
                if problem:
                    return self._json(400, {"error": "invalid_request", "error_description": problem})
                hidden = "".join(f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
                                 for key, value in query.items())
                self._send(200, "text/html; charset=utf-8", SIGN_IN_PAGE.format(hidden=hidden).encode())
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlparse(self.path).path
            if path == "/authorize":
                email = form.pop("email", "")
                problem = provider.check_authorize(form) or (None if "@" in email else "an e-mail address is needed")
                if problem:
                    return self._json(400, {"error": "invalid_request", "error_description": problem})
                code = provider.issue_code(form, email)
                target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form.get("state", "")})
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            elif path == "/token":
                self._json(*provider.exchange(form, self._basic()))
            else:
                self._json(404, {"error": "not_found"})

        def _basic(self) -> tuple[str, str] | None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return None
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return unquote_plus(client_id), unquote_plus(secret)

        def _json(self, status: int, body: dict) -> None:
            self._send(status, "application/json", json.dumps(body).encode())

        def _send(self, status: int, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_oidc", description="A fake OpenID provider.")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--redirect-uri", default="http://localhost:8501/oauth2callback")
    arguments = parser.parse_args()
    provider = FakeOIDC([arguments.redirect_uri], arguments.port).start()
    print(f"Fake OpenID provider at {provider.metadata_url} (client_id {CLIENT_ID!r}); Ctrl+C stops it.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        provider.stop()


if __name__ == "__main__":
    main()
