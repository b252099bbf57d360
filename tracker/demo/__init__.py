"""The demo city: the first seed report's headline, live as of the current week.

loading.py fills an empty database (``load_demo_city``); city.py draws the city and
its people; history.py writes their weekly reports and funds; follow_up.py adds
a month of supervision, a published notice and the problem ledger's stories.
"""
