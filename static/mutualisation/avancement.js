// Progress bars of runs and imports: poll the JSON status endpoint named by data-etat-url until the work ends,
// then reload the page so that its results appear. No dependency.
(function () {
  "use strict";

  function suivre(bloc) {
    var url = bloc.getAttribute("data-etat-url");
    var barre = bloc.querySelector("progress");
    var texte = bloc.querySelector("[data-etat-texte]");
    var delai = 1000;

    function afficher(etat) {
      var pourcentage = Math.max(0, Math.min(100, etat.avancement || 0));
      barre.value = pourcentage;
      barre.textContent = pourcentage + " %";
      texte.textContent = etat.statut_libelle + " : " + pourcentage + " %" + (etat.message ? " — " + etat.message : "");
    }

    function interroger() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (reponse) {
          if (!reponse.ok) { throw new Error("HTTP " + reponse.status); }
          return reponse.json();
        })
        .then(function (etat) {
          afficher(etat);
          if (etat.termine) {
            window.setTimeout(function () { window.location.reload(); }, 600);
          } else {
            window.setTimeout(interroger, delai);
          }
        })
        .catch(function () {
          texte.textContent = "Impossible de lire l'avancement ; nouvel essai dans quelques secondes.";
          delai = Math.min(delai * 2, 10000);
          window.setTimeout(interroger, delai);
        });
    }

    interroger();
  }

  document.querySelectorAll("[data-etat-url]").forEach(suivre);
})();
