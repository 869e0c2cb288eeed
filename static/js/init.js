// Start GOV.UK Frontend. Loaded with <script type="module">, so it runs only in
// browsers that support ES modules, which is what the `govuk-frontend-supported`
// class signals to the CSS and to initAll(). GOV.UK's page template sets it
// from an inline script; our Content-Security-Policy forbids those, so it is set
// here, before initAll() checks for it.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
