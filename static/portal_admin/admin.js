/*
 * Names each autocomplete box after its field. The box Django admin draws over the select
 * (select2) and the text showing its choice are labelled only by that choice, which is empty
 * until one is made; here both are labelled by the field's label too, so screen readers
 * announce "User: Amara Okafor".
 * Runs after Django's own autocomplete script has drawn the boxes, and again for each inline
 * row added later.
 */
"use strict";
(function () {
    function nameAutocompletes(root) {
        root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
            const label = select.id && document.querySelector('label[for="' + select.id + '"]');
            const box = select.nextElementSibling;
            const selection = box && box.querySelector(".select2-selection[role=combobox]");
            if (!label || !selection) {
                return;
            }
            label.id = label.id || select.id + "-label";
            const rendered = selection.querySelector(".select2-selection__rendered[id]");
            selection.setAttribute("aria-labelledby", rendered ? label.id + " " + rendered.id : label.id);
            if (rendered) {
                rendered.setAttribute("aria-labelledby", label.id);
            }
        });
    }

    if (window.django && window.django.jQuery) {
        window.django.jQuery(function () {
            nameAutocompletes(document);
        });
        document.addEventListener("formset:added", function (event) {
            nameAutocompletes(event.target);
        });
    }
})();
