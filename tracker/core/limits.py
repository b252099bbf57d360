"""How long a value may be: one set of limits for the web forms, the API and the query string.

Lengths count characters, as a user types them. A name fits PostgreSQL's VARCHAR(255),
which peewee's CharField makes; free text goes to TEXT columns, bounded all the same so
that one request cannot make a page of megabytes.
"""

# A project's name, unit, person, category, location, county, industry chain, department,
# lead official; a title; a person's name. The search box and the filters take one of these.
MAX_NAME = 200

# A project's code (项目编号): part of its address.
MAX_CODE = 64

# A 项目代码 as typed, with dashes or spaces (24 characters once normalised).
MAX_NATIONAL_CODE = 40

# Free text: scale and content, weekly report paragraphs, problems, replies, reasons, preambles.
MAX_TEXT = 5_000

# The longest address SMTP carries (RFC 5321).
MAX_EMAIL = 254

MAX_PHONE = 32

# An amount, a degree or a date typed as text.
MAX_FIGURE = 32

MAX_USERNAME = 64

# argon2 hashes a password of any length, taking longer the longer it is.
MAX_PASSWORD = 1_024

# The body of a form post or an API call: the longest form (a weekly report with four paragraphs
# of MAX_TEXT Chinese characters, 9 bytes each when URL-encoded) fits with room to spare.
MAX_BODY_BYTES = 256 * 1024

# A query string as a whole: far more than any link of ours, as much as servers commonly accept.
MAX_QUERY_BYTES = 8 * 1024


def too_long(limit, label=""):
    """The message for a value over ``limit`` characters, naming the field as ``label`` if given."""
    return f"{label}不能超过 {limit} 个字"
