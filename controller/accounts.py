"""Accounts, without Streamlit: who a signed-in person is (from the claims of their provider's
id_token, as `st.user` gives them), whether their address is allowed in, how many requests a
minute each may send to Groq, and whether the server listens beyond this machine.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.store import owner_key

REFUSED = "{email} may not use this bnaGPT; ask its owner to add the address, or log out and sign in with another."
NO_IDENTITY = "The sign-in provider did not say who you are (no issuer or subject); log out and try again."
NO_EMAIL = "The sign-in provider did not give an e-mail address, which this bnaGPT needs to let you in."
UNVERIFIED = "The sign-in provider has not verified {email}, so this bnaGPT cannot let it in."
OVER_CAP = ("Not sent: you have sent {cap} requests in the last minute, the most this bnaGPT allows one person. "
            "Try again in {wait:.0f} s.")


@dataclass(frozen=True)
class Account:
    """A signed-in person: their provider's issuer and subject make the key their data is kept under."""

    issuer: str
    subject: str
    email: str
    name: str

    @property
    def owner(self) -> str:
        return owner_key(self.issuer, self.subject)

    def profile(self) -> dict[str, str]:
        """What is recorded of them beside their conversations: nothing secret."""
        return {"iss": self.issuer, "sub": self.subject, "email": self.email, "name": self.name}


def account_from_claims(claims: Mapping[str, Any]) -> Account | None:
    """The account the id_token's claims describe; None when they lack the issuer or the subject."""
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        return None
    email = str(claims.get("email") or "")
    return Account(issuer, subject, email, str(claims.get("name") or email or subject))


@dataclass(frozen=True)
class AllowedEmails:
    """`BNAGPT_ALLOWED_EMAILS`: addresses and `@domain` entries, separated by commas or spaces."""

    addresses: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def parse(cls, text: str | None) -> AllowedEmails:
        entries = [entry.strip().casefold() for entry in (text or "").replace(",", " ").split()]
        return cls(frozenset(entry for entry in entries if not entry.startswith("@")),
                   frozenset(entry[1:] for entry in entries if entry.startswith("@") and len(entry) > 1))

    @property
    def everyone(self) -> bool:
        return not self.addresses and not self.domains

    def refusal(self, account: Account, claims: Mapping[str, Any]) -> str | None:
        """Why this account may not come in (a sentence), or None when it may."""
        if self.everyone:
            return None
        email = account.email.strip().casefold()
        if not email:
            return NO_EMAIL
        if claims.get("email_verified") is False:  # an unverified address is anyone's claim
            return UNVERIFIED.format(email=account.email)
        if email in self.addresses or email.rpartition("@")[2] in self.domains:
            return None
        return REFUSED.format(email=account.email)


class RequestCap:
    """At most `per_minute` requests in any 60 seconds for each person (0: no cap); shared by all sessions."""

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, owner: str) -> str | None:
        """Count one request of `owner`; or, when their minute is full, why it is not sent (a sentence)."""
        if self.per_minute <= 0:
            return None
        now = self._clock()
        with self._lock:
            sent = self._sent.setdefault(owner, deque())
            while sent and sent[0] <= now - 60:
                sent.popleft()
            if len(sent) >= self.per_minute:
                return OVER_CAP.format(cap=self.per_minute, wait=max(1.0, sent[0] + 60 - now))
            sent.append(now)
        return None


def listens_beyond_this_machine(address: str | None) -> bool:
    """True unless `address` (Streamlit's `server.address`) is a loopback one; unset means every interface."""
    if not address or not address.strip():
        return True
    address = address.strip().strip("[]")
    if address.casefold() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(address).is_loopback
    except ValueError:
        return True  # a host name: whatever it resolves to, it was chosen to be reached by name
