"""The audit trail's plumbing (docs/audit.md): which tables are tracked, and "from where" each change came.

PostgreSQL triggers (django-pghistory) copy every tracked row change into an event table, bulk and raw SQL writes
included. Each event row carries its context as JSON: the user, and the page, task or command it came from. The
context travels to the triggers as transaction-local settings that pghistory prepends to every write statement;
this module opens that context for a request (middleware), a Celery task (signals) and a management command.

    with contexte_audit(source="commande", commande="mutualisation valider 2013"):
        ...  # every tracked change made here records that command
"""

from __future__ import annotations

import getpass
import sys

import pghistory
import pghistory.config
import pghistory.middleware
from celery import signals
from django.core.handlers.wsgi import WSGIRequest as DjangoWSGIRequest
from django.core.management.base import BaseCommand
from django.db import connection
from pghistory.runtime import _tracker
from psycopg.sql import Composable

SOURCE_PAGE, SOURCE_TACHE, SOURCE_COMMANDE = "page", "tache", "commande"
OPTIONS_COMMUNES = {"verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color", "skip_checks",
                    "stdout", "stderr"}
TRACKERS_COMPLETS = "creation", "modification", "suppression"


def suivre(*, operations=TRACKERS_COMPLETS, **options):
    """pghistory.track with the project's rules: context stored in the event row itself (JSON, so an event never
    depends on another row), append-only event tables, and every update stored as two snapshots, the row
    before ("avant_modification") then after ("modification"), so each change shows its before and after even
    when the row's creation was not tracked (bulk imports, COPY of results)."""
    trackers = []
    if "creation" in operations:
        trackers.append(pghistory.InsertEvent("creation"))
    if "modification" in operations:
        trackers += [pghistory.UpdateEvent("avant_modification", row=pghistory.Old),
                     pghistory.UpdateEvent("modification")]
    if "suppression" in operations:
        trackers.append(pghistory.DeleteEvent("suppression"))

    def suivre_le_modele(modele):
        nom = options.pop("model_name", None) or f"{modele.__name__}Event"  # short names, even with ``fields``
        return pghistory.track(*trackers, context_field=pghistory.ContextJSONField(), append_only=True,
                               model_name=nom, **options)(modele)

    return suivre_le_modele


def _sql_en_texte(execute, sql, params, many, context):
    """psycopg's composed SQL (``sql.SQL(...).format(...)``, used by the imports) rendered as text: pghistory
    prepends its context to each statement and only reads text."""
    if isinstance(sql, Composable):
        sql = sql.as_string(context["cursor"].cursor)
    return execute(sql, params, many, context)


class contexte_audit(pghistory.context):  # noqa: N801 - a context manager, named like pghistory's
    """Open (or, inside an open one, enrich) the context recorded with every tracked change."""

    _texte = None

    def __enter__(self):
        if not hasattr(_tracker, "value"):  # the outermost context: pghistory installs its statement wrapper
            self._texte = connection.execute_wrapper(_sql_en_texte)
            self._texte.__enter__()  # first, so that it runs before pghistory's
        return super().__enter__()

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if self._texte is not None:
            self._texte.__exit__(*exc)
            self._texte = None


def contexte_utilisateur(acting_user) -> contexte_audit:
    """A service's context: the acting user, added to the open context (page, task, command) or opening one."""
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        return contexte_audit(user=acting_user.pk, utilisateur=acting_user.get_username())
    return contexte_audit()


class ContexteAuditMiddleware(pghistory.middleware.HistoryMiddleware):
    """Each request's changes record the user and the page (path and method)."""

    def get_context(self, request):
        contexte = super().get_context(request)
        utilisateur = getattr(request, "user", None)
        nom = utilisateur.get_username() if utilisateur is not None and utilisateur.is_authenticated else None
        return {**contexte, "source": SOURCE_PAGE, "page": request.path, "methode": request.method,
                "utilisateur": nom}

    def __call__(self, request):
        if request.method not in pghistory.config.middleware_methods():
            return self.get_response(request)
        with contexte_audit(**self.get_context(request)):
            if isinstance(request, DjangoWSGIRequest):  # so that a user set later (DRF) joins the context
                request.__class__ = pghistory.middleware.WSGIRequest
            return self.get_response(request)


class CommandeAuditee(BaseCommand):
    """A management command whose changes record the command line and the system account that ran it."""

    def execute(self, *args, **options):
        with contexte_audit(source=SOURCE_COMMANDE, commande=self._ligne(args, options)[:500],
                            compte_systeme=_compte_systeme()):
            return super().execute(*args, **options)

    def _ligne(self, args, options) -> str:
        """The command line as typed (manage.py …), or rebuilt from the options (call_command)."""
        nom = self.__module__.rsplit(".", 1)[-1]
        if sys.argv[1:2] == [nom]:
            return " ".join(["manage.py", *sys.argv[1:]])
        propres = [f"--{cle}={valeur}" for cle, valeur in options.items()
                   if cle not in OPTIONS_COMMUNES and valeur not in (None, False, [], "")]
        return " ".join([nom, *map(str, args), *propres])


def _compte_systeme() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return ""


# --- Celery tasks: the context opens before the task body and closes after it ---------------------------------

_contextes_des_taches: dict[str, pghistory.context] = {}


@signals.task_prerun.connect
def _ouvrir_contexte_tache(task_id=None, task=None, **_):
    contexte = contexte_audit(source=SOURCE_TACHE, tache=getattr(task, "name", ""), tache_id=task_id)
    contexte.__enter__()
    _contextes_des_taches[task_id] = contexte


@signals.task_postrun.connect
def _fermer_contexte_tache(task_id=None, **_):
    contexte = _contextes_des_taches.pop(task_id, None)
    if contexte is not None:
        contexte.__exit__(None, None, None)
