"""Use cases, one function per action. The only place that opens a database session.

Every function takes the engine first and keyword-only arguments after it, checks the actor's
role and scope, raises a KwrError subclass for anything a user can cause, and commits at most once.
"""
