"""Settings of the gunicorn server of bench_tableaux_de_bord.py only: the application's, without the API throttles.

The load comes from one signed-in user; the per-user quota (1 200 requests an hour, REST_FRAMEWORK) would answer
429 after a few seconds and the bench would measure the refusal, not the endpoint. The quota is a limit on a client,
not a cost of the page: it is lifted here and nowhere else (docs/performances.md, « Tableaux de bord sous charge »).
"""

from pacte.settings import *  # noqa: F403
from pacte.settings import REST_FRAMEWORK

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
