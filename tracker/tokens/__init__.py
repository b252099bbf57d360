"""API 令牌: the page where every account makes, lists and revokes its own API tokens, and the office anyone's.

The tokens' table is in ``tracker.accounts.models`` and making, checking and revoking them in
``tracker.accounts.credentials``, which the API and the command line use too; only the page is here.
"""
