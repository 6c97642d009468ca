// The API's docs page (/api/v1/docs): Swagger UI from static/vendor, reading the
// document from this server. validatorUrl: null keeps it from asking
// validator.swagger.io about the document (its default); nothing leaves this site.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#docs",
    validatorUrl: null,
    deepLinking: false,
    tryItOutEnabled: false,
  });
});
