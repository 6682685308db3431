"""pip-audit of the pinned set (constraints.txt) against PyPI's advisories, for `make audit` (docs/securite.md).

pip-audit asks PyPI for each pin's own release (/pypi/NAME/VERSION/json). Where that answer is not available (some
networks, this project's CI among them, only reach the project's page /pypi/NAME/json), the project's page is read
instead: its advisories are those of the latest release, so they answer for a pin that is the latest release. A pin
older than that cannot be checked there; it must at least be the latest patch of its series (security fixes of a
maintained series come as patches), and it is listed. Fails on any known vulnerability, on any pin unknown to PyPI,
and on any older pin with a newer patch release.
"""

import sys
from pathlib import Path

import requests
from packaging.version import Version
from pip_audit._dependency_source import RequirementSource
from pip_audit._service import PyPIService, SkippedDependency

RACINE = Path(__file__).resolve().parent.parent
IGNOREES: dict[str, str] = {}  # advisory id → why it does not apply (also written in docs/securite.md)


def _page_du_projet(session: requests.Session, nom: str) -> dict:
    reponse = session.get(f"https://pypi.org/pypi/{nom}/json", timeout=60)
    reponse.raise_for_status()
    return reponse.json()


def _derniere_de_sa_serie(page: dict, version: Version) -> bool:
    versions = [Version(v) for v in page["releases"]]
    return not any(v > version and not v.is_prerelease and v.release[:2] == version.release[:2] for v in versions)


def auditer(fichier: Path) -> list[str]:
    service, session, problemes = PyPIService(), requests.Session(), []
    source = RequirementSource([fichier], no_deps=True, disable_pip=True)
    for dependance in source.collect():
        nom, version = dependance.canonical_name, getattr(dependance, "version", None)
        dependance, vulnerabilites = service.query(dependance)
        if isinstance(dependance, SkippedDependency):
            page = _page_du_projet(session, nom)
            if Version(page["info"]["version"]) == version:
                vulnerabilites = [v for v in page.get("vulnerabilities") or []
                                  if not v.get("withdrawn") and v["id"] not in IGNOREES]
                vulnerabilites = [f"{v['id']} (corrigée en {', '.join(v['fixed_in']) or '?'})" for v in vulnerabilites]
            elif _derniere_de_sa_serie(page, version):
                sys.stdout.write(f"non vérifiable ici : {nom} {version} (dernière version de sa série ; "
                                 f"dernière publiée : {page['info']['version']})\n")
            else:
                problemes.append(f"{nom} {version} : une version corrective plus récente existe dans sa série")
        else:
            vulnerabilites = [f"{v.id} (corrigée en {', '.join(map(str, v.fix_versions)) or '?'})"
                              for v in vulnerabilites if v.id not in IGNOREES]
        problemes += [f"{nom} {version} : {v}" for v in vulnerabilites]
    return problemes


def main() -> int:
    problemes = auditer(RACINE / "constraints.txt")
    for probleme in problemes:
        sys.stdout.write(f"VULNÉRABILITÉ : {probleme}\n")
    sys.stdout.write("Audit des dépendances : " + ("ÉCHEC\n" if problemes else "aucune vulnérabilité connue.\n"))
    return 1 if problemes else 0


if __name__ == "__main__":
    sys.exit(main())
