"""The workbench (工作台, issue 19 item 2): what waits for a user, by role, on one page.

``rules`` says which sections a user's roles give and how a row of each is shown; the action
``govshare_workbench_show`` (``logic/action/workbench.py``) fills them from the existing
actions, and ``views/workbench.py`` only renders its answer.
"""
