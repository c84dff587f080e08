"""People who run the privacy program: accounts, roles, sessions, API tokens, invitations.

Pure services over Steward's store; the web app (``web/auth.py``) and the CLI are the faces.
"""
