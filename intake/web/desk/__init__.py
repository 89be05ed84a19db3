"""The moderator's desk at ``/moderate``: sign-in, the queue at a glance, one item at a
time, decisions by keyboard, and accounts for admins.

A moderator signs in with name and password (``signin``) and gets a session cookie
holding a session token (``session``: HttpOnly, SameSite=Strict, Secure behind TLS) and a
CSRF token derived from it, which every state-changing request must carry. The pages
(``queue``, ``item``, ``accounts``) are rendered on the server, reader text escaped by
Jinja2; ``static/desk*.js`` claims, renews and releases leases and decides through the
moderation API with the same session, and loads the next item without a reload.
"""
