// Start GOV.UK Frontend. Loaded with <script type="module">, so it runs only in
// browsers that support ES modules, which is what the `govuk-frontend-supported`
// class signals to the CSS and to initAll(). GOV.UK's page template sets it
// from an inline script; our Content-Security-Policy forbids those, so it is set
// here, before initAll() checks for it.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// Copy buttons beside read-only addresses (templates/includes/copy_field.html): shown only
// when this script runs, so nobody without it sees a button that does nothing.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copyTarget}"]`);
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Copied";
    } catch {
      field.select();
      status.textContent = "Selected: press Ctrl+C (or Cmd+C) to copy";
    }
  });
}
