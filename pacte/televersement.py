"""Uploads bounded in size before they are read (docs/fichiers-hostiles.md).

Two guards, both on ``PACTE_TAILLE_MAX_IMPORT``:

- ``LimiteTailleMiddleware`` answers 413 to a request whose declared body (Content-Length) exceeds the limit, before
  a single byte of it is read: neither memory nor disk sees a 200 Mo upload. Django never reads more than the
  declared length, so that bound holds for every request.
- ``LimiteTailleFichier``, the first upload handler, counts the bytes of each uploaded file as they stream in and
  stops the upload past the limit (a body under the limit plus the margin, whose file alone exceeds it).

Both answer in French: a JSON ``detail`` for the API, a page for the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.shortcuts import render

MARGE = 1024 * 1024  # the other fields and the multipart boundaries of a form that carries a file at the limit
ATTRIBUT = "_pacte_televersement_trop_gros"


def taille_max() -> int:
    return settings.PACTE_TAILLE_MAX_IMPORT


def mo(octets: int) -> str:
    """« 50 Mo », « 1,5 Mo »: sizes in the messages, in French."""
    texte = f"{octets / 1024 / 1024:.1f}".removesuffix(".0").replace(".", ",")
    return f"{texte} Mo"


def message_trop_gros(taille: int | None = None) -> str:
    taille_texte = f" ({mo(taille)})" if taille else ""
    return (f"Fichier trop volumineux{taille_texte} : {mo(taille_max())} au plus. Rien n'a été importé ; "
            "découpez le fichier ou retirez les colonnes inutiles.")


def _reponse(request, taille: int | None):
    message = message_trop_gros(taille)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


def _longueur_declaree(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class LimiteTailleMiddleware:
    """413 for a body declared bigger than the limit (not read); 413 too when the upload handler stopped a file."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        longueur = _longueur_declaree(request)
        if longueur > taille_max() + MARGE:
            return _reponse(request, longueur)
        response = self.get_response(request)
        if getattr(request, ATTRIBUT, None) is not None:
            return _reponse(request, getattr(request, ATTRIBUT))
        return response


class LimiteTailleFichier(FileUploadHandler):
    """Counts each file's bytes as they arrive; past the limit, stops reading the request (nothing more is kept)."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > taille_max():
            if self.request is not None:
                setattr(self.request, ATTRIBUT, start + len(raw_data))
            raise RequestDataTooBig(message_trop_gros())
        return raw_data

    def file_complete(self, file_size):
        return None
