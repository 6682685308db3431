"""The decision letter as PDF, through the shared WeasyPrint renderer (mutualisation/documents/rendu.py)."""

from django.utils import timezone

from mutualisation.documents.rendu import pdf


def lettre_pdf(candidature, decision) -> bytes:
    return pdf("appels/lettre_decision.html", {
        "candidature": candidature, "decision": decision, "appel": candidature.appel,
        "organisme": candidature.organisme, "date": timezone.localdate(),
    })
