"""E-mail intake: mailboxes polled over IMAP and provider webhooks, each mail taken in once."""
