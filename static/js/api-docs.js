// The API docs page (/api/docs/): Swagger UI over Caseload's own schema, served by
// Caseload. "Try it out" calls go with the page's session; unsafe methods carry the
// page's CSRF token (the cookie is HttpOnly, so the page hands it over).
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    var csrfToken = root.getAttribute("data-csrf-token");
    window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      domNode: root,
      deepLinking: false,
      // No call to the public validator: nothing leaves Caseload.
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      requestInterceptor: function (request) {
        var method = (request.method || "GET").toUpperCase();
        if (["GET", "HEAD", "OPTIONS"].indexOf(method) === -1) {
          request.headers["X-CSRFToken"] = csrfToken;
        }
        request.credentials = "same-origin";
        return request;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
