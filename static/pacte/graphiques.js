// Bar charts under the Content-Security-Policy, which refuses style="" attributes: the server writes each bar's
// width (data-largeur) or marker's position (data-position) in percent, and this script sets them through the
// CSSOM, which the policy allows. No dependency.
(function () {
  "use strict";

  function pourcent(valeur) {
    var nombre = parseFloat(String(valeur).replace(",", "."));
    return isFinite(nombre) ? Math.max(0, Math.min(100, nombre)) + "%" : null;
  }

  document.querySelectorAll("[data-largeur]").forEach(function (element) {
    var largeur = pourcent(element.getAttribute("data-largeur"));
    if (largeur !== null) { element.style.width = largeur; }
  });
  document.querySelectorAll("[data-position]").forEach(function (element) {
    var position = pourcent(element.getAttribute("data-position"));
    if (position !== null) { element.style.left = position; }
  });
})();
