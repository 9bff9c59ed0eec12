"""Operator identity: accounts, hashed credentials (argon2id), sessions, PINs and rate limits.

One room below every door: the control socket, the guard console and the district all
authenticate here and act through controller.service.actions with the Actor built here."""

from controller.identity.errors import AuthFailed, IdentityError, RateLimited, UnknownOperator
from controller.identity.model import ROLES, Actor, Operator
from controller.identity.sessions import Session, Sessions
from controller.identity.store import OperatorStore

__all__ = ["ROLES", "Actor", "AuthFailed", "IdentityError", "Operator", "OperatorStore",
           "RateLimited", "Session", "Sessions", "UnknownOperator"]
