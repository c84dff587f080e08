"""E-mail: every message goes to the outbox first; SMTP delivers it when configured."""
