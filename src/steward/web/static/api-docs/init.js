// The API documentation page: Swagger UI (served by Steward from the swagger-ui-bundle
// package, no CDN) reading Steward's own OpenAPI document. A file, not an inline script, so
// that the page works under Steward's strict Content-Security-Policy.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
